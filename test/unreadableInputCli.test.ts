import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * Files and folders the user may not read are skipped, each named with the reason, and the run goes
 * on. Root reads everything whatever the mode, so as root the CLI runs as `nobody`.
 */
const NOBODY = 65534;
const root = mkdtempSync(join(tmpdir(), 'flowhawk-unreadable-cli-'));
const at = (...parts: string[]) => join(root, ...parts);

mkdirSync(at('logs', 'locked'), { recursive: true });
const flows = new FlowBuilder().tcp({
  client: '198.51.100.7',
  server: '10.0.1.1',
  port: 443,
  at: 1_700_000_000,
});
for (const name of ['good.log', 'secret.log', join('locked', 'inner.log')]) {
  writeFileSync(at('logs', name), flows.text());
  chmodSync(at('logs', name), 0o644);
}
// the other user must be able to reach the fixture: mkdtemp makes its folder 0700
chmodSync(root, 0o755);
chmodSync(at('logs'), 0o755);
chmodSync(at('logs', 'secret.log'), 0o000);
chmodSync(at('logs', 'locked'), 0o000);

const asOther: SpawnSyncOptions = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

function flowhawk(...args: string[]) {
  const run = spawnSync('node', ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    ...asOther,
    encoding: 'utf8',
    env: { ...process.env, HOME: root },
  });
  return { code: run.status, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** Why these tests cannot run here, or undefined: permissions must hold for the user the CLI runs as. */
function cannotRun(): string | undefined {
  const probe = spawnSync(
    'node',
    [
      '-e',
      'try { require("fs").readFileSync(process.argv[1]); process.exit(1) } catch { process.exit(0) }',
      at('logs', 'secret.log'),
    ],
    asOther,
  );
  if (probe.error) return `cannot start a process as user ${NOBODY}: ${probe.error.message}`;
  if (probe.status !== 0) return 'a file of mode 0000 is readable here (root without a user to switch to?)';
  return undefined;
}

const skipReason = cannotRun();
if (skipReason) console.warn(`unreadableInputCli: skipped: ${skipReason}`);

afterAll(() => {
  chmodSync(at('logs', 'locked'), 0o755);
  chmodSync(at('logs', 'secret.log'), 0o644);
});

const LISTED = [
  { path: at('logs', 'locked'), reason: 'permission denied' },
  { path: at('logs', 'secret.log'), reason: 'permission denied' },
];

describe.skipIf(skipReason !== undefined)('unreadable files and folders', () => {
  it('are skipped, named on stderr and in the summary, and the rest is read', () => {
    const { code, stdout, stderr } = flowhawk('ingest', at('logs'), '--json', '-q');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.filesUnreadable).toEqual(LISTED);
    expect(summary.perFile.map((f: { path: string }) => f.path)).toEqual([at('logs', 'good.log')]);
    expect(summary.records).toBeGreaterThan(0);
    expect(stderr).toBe(LISTED.map((u) => `flowhawk: warning: skipped ${u.path}: ${u.reason}\n`).join(''));
    const text = flowhawk('ingest', at('logs'), '-q').stdout;
    expect(text).toContain(
      `Could not read 2 file(s) or folder(s):\n  ${at('logs', 'locked')}: permission denied\n`,
    );
  });

  it('make --strict exit 3 after the findings are written; without it the scan exits 0', () => {
    const strict = flowhawk('scan', at('logs'), '--strict', '--format', 'json', '-q');
    expect(strict.code).toBe(3);
    expect(JSON.parse(strict.stdout).ingest.filesUnreadable).toEqual(LISTED);
    expect(strict.stderr).toContain(
      `--strict: ${at('logs')}: 2 file(s) or folder(s) could not be read (first: ${at('logs', 'locked')}: permission denied)`,
    );
    expect(flowhawk('scan', at('logs'), '-q').code).toBe(0);
  });

  it('say "permission denied", not "no such file", when named; alone, nothing is left to analyse', () => {
    for (const path of [at('logs', 'secret.log'), at('logs', 'locked'), at('logs', 'locked', 'inner.log')]) {
      const { code, stderr } = flowhawk('scan', path, '-q');
      expect(code, path).toBe(3);
      expect(stderr).toContain(`skipped ${path}: permission denied`);
      expect(stderr).toContain(
        `nothing to analyse in ${path}: 1 could not be read (first: ${path}: permission denied)`,
      );
      expect(stderr).not.toContain('no such file');
      expect(stderr).not.toContain('unexpected error');
    }
  });
});
