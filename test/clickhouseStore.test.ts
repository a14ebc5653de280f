import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIntoClickhouse, removeUnfinishedFiles } from '../src/ingest/clickhouseLoad.js';
import { ingest } from '../src/ingest/ingest.js';
import { ClickhouseStore } from '../src/store/clickhouse/clickhouseStore.js';
import { MIGRATIONS } from '../src/store/clickhouse/schema.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * The ClickHouse store on the embedded engine (chdb), in a data directory kept across opens: the
 * schema's migrations run once, and loading is idempotent per file and resumes a cut-short load.
 */

const T = 1_699_920_000;
let dir: string;
let files: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowhawk-chstore-'));
  const a = new FlowBuilder().repeat(30, 60, T, (i, at) => ({
    client: '10.0.0.1',
    server: '10.0.0.2',
    port: 1000 + i,
    at,
  }));
  const b = new FlowBuilder().repeat(20, 60, T + 86_400, (i, at) => ({
    client: '10.0.0.3',
    server: '2001:db8::9',
    port: 443,
    at: at + i,
  }));
  files = [join(dir, 'a.log'), join(dir, 'b.log')];
  await writeFile(files[0] as string, a.text());
  await writeFile(files[1] as string, b.text());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function duckdbWith(paths: readonly string[]): Promise<DuckdbStore> {
  const store = await DuckdbStore.open();
  await ingest(store, paths);
  return store;
}

const count = async (store: ClickhouseStore | DuckdbStore, sql: string) =>
  Number((await store.query<{ n: number | bigint }>(sql))[0]?.n ?? -1);

describe('ClickhouseStore on chdb', () => {
  it('migrates a new database once, and a reopened one not again', async () => {
    const url = `chdb://${join(dir, 'ch')}`;
    const first = await ClickhouseStore.open(url);
    const versions = await first.query<{ version: number }>(
      'SELECT version FROM fh_schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await first.migrate(), 'nothing left to apply').toEqual([]);
    const tables = await first.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = 'default' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['addresses', 'bad_lines', 'flows', 'ingested_files', 'log_health']),
    );
    const [layout] = await first.query<{ partition_key: string; sorting_key: string }>(
      "SELECT partition_key, sorting_key FROM system.tables WHERE database = 'default' AND name = 'flows'",
    );
    expect(layout?.partition_key, 'flows partitioned by day').toMatch(/toYYYYMMDD/);
    expect(layout?.sorting_key, 'ordered by interface, then time').toMatch(/interface_id.*start_time/);
    await first.close();
  });

  it('loads each file once: a re-run sends nothing, new files get new ids, addresses keep 128-bit values', async () => {
    const ch = await ClickhouseStore.open(`chdb://${join(dir, 'ch')}`);
    const duck = await duckdbWith(files);
    try {
      const expected = await count(duck, 'SELECT count(*) AS n FROM flows');
      expect(await loadIntoClickhouse(duck, ch)).toEqual({ sent: 2, skipped: 0, flows: expected });
      expect(await count(ch, 'SELECT count() AS n FROM flows')).toBe(expected);
      expect(await loadIntoClickhouse(duck, ch)).toEqual({ sent: 0, skipped: 2, flows: 0 });
      expect(await count(ch, 'SELECT count() AS n FROM flows'), 'a re-run adds nothing').toBe(expected);
      // the same files read by another DuckDB store: the content hashes match, nothing is sent
      const again = await duckdbWith([files[1] as string]);
      expect((await loadIntoClickhouse(again, ch)).sent).toBe(0);
      again.close();
      const ids = await ch.query<{ file_id: number }>('SELECT DISTINCT file_id FROM flows ORDER BY file_id');
      expect(ids.map((r) => Number(r.file_id))).toEqual([1, 2]);
      const [v6] = await ch.query<{ ip: string }>(
        "SELECT toString(ip) AS ip FROM addresses WHERE addr = '2001:db8::9'",
      );
      expect(v6?.ip).toBe(String((0x20010db8n << 96n) | 9n));
    } finally {
      duck.close();
      await ch.close();
    }
  });

  it('a load cut short leaves rows without an ingested_files row: removed, then the file is sent whole', async () => {
    const ch = await ClickhouseStore.open(`chdb://${join(dir, 'ch')}`);
    try {
      const before = await count(ch, 'SELECT count() AS n FROM flows');
      // what a load killed after a file's flows but before its ingested_files row leaves behind
      await ch.run(
        "INSERT INTO flows (file_id, line, src_addr) VALUES (99, 1, '10.9.9.9'), (99, 2, '10.9.9.9')",
      );
      await removeUnfinishedFiles(ch);
      expect(await count(ch, 'SELECT count() AS n FROM flows')).toBe(before);
      expect(await count(ch, 'SELECT count() AS n FROM flows WHERE file_id = 99')).toBe(0);
    } finally {
      await ch.close();
    }
  });
});
