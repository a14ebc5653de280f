import { appendFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowhawk } from './helpers/cli.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * What the CLI does with paths it cannot fully read, and the exit codes CI relies on: symlinks
 * followed, unreadable files listed, an empty input exit 3 unless --allow-empty, --strict.
 */
const T = 1_700_000_000;
const root = mkdtempSync(join(tmpdir(), 'flowhawk-paths-cli-'));
const at = (...parts: string[]) => join(root, ...parts);

function flowLog(path: string, server: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  const flows = new FlowBuilder()
    .tcp({ client: '198.51.100.7', server, port: 443, at: T })
    .tcp({ client: '198.51.100.8', server, port: 443, at: T + 60 });
  writeFileSync(path, flows.text());
}

const json = (stdout: string) => JSON.parse(stdout);

beforeAll(() => {
  flowLog(at('links', 'a.log'), '10.0.1.1');
  flowLog(at('outside', 'b.log'), '10.0.1.2');
  flowLog(at('outside', 'day', 'c.log'), '10.0.1.3');
  symlinkSync(at('outside', 'b.log'), at('links', 'b-link.log'));
  symlinkSync(at('outside', 'day'), at('links', 'day-link'));
  symlinkSync(at('links'), at('links', 'day-link-loop'));
  mkdirSync(at('empty'));
  mkdirSync(at('junk'));
  writeFileSync(at('junk', 'README.txt'), 'These are the logs of last week.\n');
  flowLog(at('bad', 'flows.log'), '10.0.1.4');
  appendFileSync(at('bad', 'flows.log'), 'this is no flow record\n');
});

describe('symlinked inputs', () => {
  it('reads a symlinked file and a symlinked folder, and a link back to the folder ends the walk', () => {
    const { code, stdout, stderr } = flowhawk('ingest', at('links'), '--json', '-q');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = json(stdout);
    // each real file once: no "already ingested" copies reached through the loop
    expect(summary.perFile.map((f: { path: string }) => f.path)).toEqual([
      at('links', 'a.log'),
      at('links', 'b-link.log'),
      at('links', 'day-link', 'c.log'),
    ]);
    expect(summary.filesSkipped).toEqual([]);
    expect(summary.filesUnreadable).toEqual([]);
    expect(summary.records).toBeGreaterThan(0);
  });
});

describe('an input with no flow record exits 3 unless --allow-empty', () => {
  it('an empty folder: scan and ingest exit 3 saying so, and scan writes no findings', () => {
    const scan = flowhawk('scan', at('empty'), '-q', '--format', 'json');
    expect(scan.code).toBe(3);
    expect(scan.stdout).toBe('');
    expect(scan.stderr).toContain(`nothing to analyse in ${at('empty')}: no files found`);
    expect(scan.stderr).toContain('--allow-empty');
    const ingest = flowhawk('ingest', at('empty'), '-q', '--json');
    expect(ingest.code).toBe(3);
    expect(json(ingest.stdout).files).toBe(0);
    expect(ingest.stderr).toContain(`nothing to analyse in ${at('empty')}: no files found`);
  });

  it('--allow-empty exits 0, with --fail-on too (there is no finding)', () => {
    const scan = flowhawk('scan', at('empty'), '-q', '--allow-empty', '--fail-on', 'info');
    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain('Read 0 file(s)');
    expect(flowhawk('ingest', at('empty'), '-q', '--allow-empty').code).toBe(0);
  });

  it('says why when there were files: none was a flow log, or none held a record', () => {
    const walked = flowhawk('scan', at('junk'), '-q');
    expect(walked.code).toBe(3);
    expect(walked.stderr).toContain(
      `nothing to analyse in ${at('junk')}: 1 file(s) skipped (first: ${at('junk', 'README.txt')}: not recognised as a flow log`,
    );
    const named = flowhawk('scan', at('junk', 'README.txt'), '-q');
    expect(named.code).toBe(3);
    expect(named.stderr).toContain('1 file(s) read, none with a flow record (1 bad line(s))');
  });

  it('scan --workspace alone exits 3 when the workspace holds no flows, 0 once it does', () => {
    const workspace = at('ws.duckdb');
    const empty = flowhawk('scan', '--workspace', workspace, '-q');
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain(`nothing to analyse in ${workspace}: the workspace holds no flows`);
    expect(flowhawk('scan', '--workspace', workspace, '-q', '--allow-empty').code).toBe(0);
    expect(flowhawk('ingest', at('links', 'a.log'), '--workspace', workspace, '-q').code).toBe(0);
    expect(flowhawk('scan', '--workspace', workspace, '-q').code).toBe(0);
    // the same file again adds nothing, and that is no error: its records are in the workspace
    const again = flowhawk('ingest', at('links', 'a.log'), '--workspace', workspace, '-q', '--json');
    expect(json(again.stdout)).toMatchObject({
      records: 0,
      filesSkipped: [{ sameAs: at('links', 'a.log') }],
    });
    expect(again.code).toBe(0);
  });

  it('keeps "no such file or directory" for a path that does not exist', () => {
    const { code, stderr } = flowhawk('scan', at('nope'), '-q');
    expect(code).toBe(3);
    expect(stderr).toContain(`${at('nope')}: no such file or directory`);
  });
});

describe('--strict', () => {
  it('exits 3 for a bad line after writing the output; 0 without it, and 0 for clean input', () => {
    const strict = flowhawk('scan', at('bad'), '-q', '--strict', '--format', 'json');
    expect(strict.code).toBe(3);
    expect(json(strict.stdout).ingest.badLines).toBe(1);
    expect(strict.stderr).toContain(
      `--strict: ${at('bad')}: 1 bad line(s) (first: ${at('bad', 'flows.log')}:6: 5 fields where the format has 18)`,
    );
    expect(flowhawk('scan', at('bad'), '-q').code).toBe(0);
    const ingest = flowhawk('ingest', at('bad'), '-q', '--strict', '--json');
    expect(ingest.code).toBe(3);
    expect(json(ingest.stdout).badLines).toBe(1);
    expect(flowhawk('scan', at('links'), '-q', '--strict').code).toBe(0);
    expect(flowhawk('ingest', at('links'), '-q', '--strict').code).toBe(0);
  });

  it('exits 3 for a file skipped as not a flow log, even with --allow-empty', () => {
    const { code, stderr } = flowhawk('ingest', at('junk'), '-q', '--strict', '--allow-empty');
    expect(code).toBe(3);
    expect(stderr).toContain(`--strict: ${at('junk')}: 1 file(s) skipped`);
  });
});

describe('--allow-empty and --strict are documented', () => {
  it.each(['scan', 'ingest'])('in %s --help, with the exit code', (command) => {
    // commander wraps the option descriptions to the terminal's width
    const help = flowhawk(command, '--help').stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--allow-empty succeed even when the input holds no flow record');
    expect(help).toContain('--strict exit 3, after the output is written');
    expect(help).toContain('Exit code 3 also when the input holds no flow record at all');
  });
});
