import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowhawk } from './helpers/cli.js';

/**
 * The commands against a ClickHouse store (the chdb engine in each CLI process, one data folder
 * kept between runs, as a server keeps its tables): ingest sends each file once, report and scan
 * analyse what the store holds, and --since/--until cut the analysed span on ClickHouse as on DuckDB.
 */

const EXAMPLES = 'examples/AWSLogs';
// inside the examples' five minutes: lateral, portsweep and pingsweep last seen before it
const SINCE = '1710115380';

interface Shown {
  detector: string;
  actor: string;
  target: string;
  severity: string;
  firstSeen: number;
}

function findingsOf(stdout: string): Shown[] {
  const report = JSON.parse(stdout) as { findings: Shown[] };
  return report.findings
    .map(({ detector, actor, target, severity, firstSeen }) => ({
      detector,
      actor,
      target,
      severity,
      firstSeen,
    }))
    .sort((a, b) =>
      `${a.detector} ${a.actor} ${a.target}`.localeCompare(`${b.detector} ${b.actor} ${b.target}`),
    );
}

function ok(run: ReturnType<typeof flowhawk>) {
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  return run;
}

describe('commands on a ClickHouse store (chdb)', () => {
  let dir: string;
  let store: string;
  let workspace: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-chcli-'));
    store = `chdb://${join(dir, 'ch')}`;
    workspace = join(dir, 'hist.duckdb');
    ok(flowhawk('ingest', EXAMPLES, '--workspace', workspace, '-q'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingest --store sends each file once: a second run sends none', () => {
    const first = JSON.parse(ok(flowhawk('ingest', EXAMPLES, '--store', store, '--json', '-q')).stdout);
    expect(first.clickhouse.sent).toBe(first.files);
    expect(first.clickhouse.sent).toBeGreaterThan(1);
    expect(first.clickhouse.flows).toBe(first.records);
    const again = JSON.parse(ok(flowhawk('ingest', EXAMPLES, '--store', store, '--json', '-q')).stdout);
    expect(again.clickhouse).toEqual({ sent: 0, skipped: first.clickhouse.sent, flows: 0 });
  });

  it('report on the store finds what a scan of the files finds', () => {
    const fromFiles = findingsOf(ok(flowhawk('scan', EXAMPLES, '--format', 'json', '-q')).stdout);
    const fromStore = findingsOf(ok(flowhawk('report', store, '--format', 'json')).stdout);
    expect(fromFiles.length).toBeGreaterThan(3);
    expect(fromStore).toEqual(fromFiles);
  });

  it('--since cuts the analysed span alike on ClickHouse and DuckDB, leaving out earlier flows', () => {
    const all = findingsOf(ok(flowhawk('scan', '--workspace', workspace, '--format', 'json', '-q')).stdout);
    const duck = findingsOf(
      ok(flowhawk('scan', '--workspace', workspace, '--since', SINCE, '--format', 'json', '-q')).stdout,
    );
    const click = findingsOf(
      ok(flowhawk('scan', '--store', store, '--since', SINCE, '--format', 'json', '-q')).stdout,
    );
    expect(click).toEqual(duck);
    expect(duck.length).toBeGreaterThan(0);
    expect(duck.length).toBeLessThan(all.length);
    for (const finding of duck) expect(finding.firstSeen).toBeGreaterThanOrEqual(Number(SINCE));
    const gone = all.filter((f) => !duck.some((d) => d.detector === f.detector && d.actor === f.actor));
    expect(gone.map((f) => f.detector)).toEqual(expect.arrayContaining(['lateral', 'portsweep']));
  });

  it('--until before the first flow finds nothing; the config file can name the store', async () => {
    const config = join(dir, 'flowhawk.config.json');
    await writeFile(config, JSON.stringify({ store }));
    const none = ok(flowhawk('scan', '--config', config, '--until', '1710115000', '--format', 'json', '-q'));
    expect(findingsOf(none.stdout)).toEqual([]);
    const some = ok(flowhawk('scan', '--config', config, '--format', 'json', '-q'));
    expect(findingsOf(some.stdout).length).toBeGreaterThan(3);
  });

  it('report on a store that holds nothing (a mistyped database makes a new one) fails, naming it', () => {
    const fresh = `chdb://${join(dir, 'never-filled')}`;
    const run = flowhawk('report', fresh, '--format', 'json');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`nothing to analyse in ${fresh}`);
  });

  it('refuses a store value in the config that is no ClickHouse URL, naming the key', async () => {
    const config = join(dir, 'bad.config.json');
    await writeFile(config, JSON.stringify({ store: 'hist.duckdb' }));
    const run = flowhawk('scan', '--config', config, '-q');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/store/);
  });
});
