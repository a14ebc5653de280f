import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `flowhawk … | head`: the reader closes the pipe after a few lines; flowhawk stops quietly. */
describe('output into a pipe closed early', () => {
  it.each([
    ['help', ['scan', '--help']],
    ['the detector catalogue', ['detectors', '--markdown']],
  ])(
    '%s: exit 0 and no EPIPE trace',
    async (_, args) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // read one chunk, then close our end, as `head -1` does
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(code).toBe(0);
    },
    30_000,
  );
});
