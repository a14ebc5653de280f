import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowhawk } from '../helpers/cli.js';

describe('flowhawk serve (the command)', () => {
  it('documents its options and examples', () => {
    const { code, stdout } = flowhawk('serve', '--help');
    expect(code).toBe(0);
    for (const option of [
      '--port',
      '--host',
      '--workspace',
      '--token',
      '--max-upload-size',
      '--max-decompressed-size',
      '--job-memory',
      '--jobs',
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('Examples:');
  });

  it('refuses a non-loopback address without a token and bad sizes (exit 2), a broken config (exit 3)', () => {
    const open = flowhawk(
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--workspace',
      mkdtempSync(join(tmpdir(), 'fh-')),
    );
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('without a token');
    const dir = mkdtempSync(join(tmpdir(), 'fh-'));
    writeFileSync(join(dir, 'bad.json'), '{"detectors": {"nosuch": {}}}');
    const config = flowhawk('serve', '--port', '0', '--workspace', dir, '--config', join(dir, 'bad.json'));
    expect(config.code).toBe(3);
    expect(config.stderr).toContain('nosuch');
    const size = flowhawk('serve', '--max-upload-size', 'lots');
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--max-upload-size lots is not a size');
  });

  it('serves the page and the API (token from FLOWHAWK_TOKEN) until SIGTERM, then exits 0', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'fh-serve-'));
    const child = spawn(
      'node',
      ['--import', 'tsx', 'src/cli/run.ts', 'serve', '--port', '0', '--workspace', workspace],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, FLOWHAWK_TOKEN: 'from-the-environment' },
      },
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('flowhawk');
    // the token comes from FLOWHAWK_TOKEN when --token is not given
    expect((await fetch(`${url}/api/jobs`)).status).toBe(401);
    const authorised = await fetch(`${url}/api/jobs`, {
      headers: { Authorization: 'Bearer from-the-environment' },
    });
    expect(authorised.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('stopping');
  });
});
