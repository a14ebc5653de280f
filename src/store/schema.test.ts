import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, expect, it } from 'vitest';
import { FLOW_COLUMNS } from '../flow.js';
import { DuckdbStore } from './duckdbStore.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('upgrades a workspace made by an older version, keeping its rows', async () => {
  const path = join(dir, 'old.duckdb');
  const old = await DuckDBInstance.create(path);
  const connection = await old.connect();
  await connection.run('CREATE TABLE flows (file_id INTEGER, line BIGINT, src_addr VARCHAR)');
  await connection.run("INSERT INTO flows VALUES (1, 7, '10.0.0.1')");
  connection.closeSync();
  old.closeSync();

  const store = await DuckdbStore.open({ workspace: path });
  const columns = await store.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'flows'",
  );
  expect(columns.map((c) => c.name).sort()).toEqual(FLOW_COLUMNS.map((c) => c.name).sort());
  expect(await store.query('SELECT line, src_addr, dst_port FROM flows')).toEqual([
    { line: 7n, src_addr: '10.0.0.1', dst_port: null },
  ]);
  store.close();
  // opening again changes nothing
  const again = await DuckdbStore.open({ workspace: path });
  expect((await again.query('SELECT count(*) AS n FROM flows'))[0]).toEqual({ n: 1n });
  again.close();
});
