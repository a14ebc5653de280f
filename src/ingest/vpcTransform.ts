import type { DuckDBConnection } from '@duckdb/node-api';
import type { VpcLayout } from '../readers/vpcText.js';
import {
  addressSql,
  classifiedTableSql,
  countKindsSql,
  insertBadLinesSql,
  insertFlowsSql,
  insertLogHealthSql,
  ODD_ROWS_SQL,
  type Staging,
} from './vpcTransformSql.js';

/** What a flush found, per file: how many lines became flows, log-health facts, headers, bad lines. */
export type KindCounts = Map<number, Record<string, number>>;

/**
 * Runs the one validating transform over `source`, a relation of staged raw fields (fh_file_id INTEGER,
 * fh_line BIGINT, f0..fN VARCHAR with '-' for missing) in `layout`, and returns what it found per file.
 *
 * The helper tables and views it creates are TEMP, hence private to `connection`: two loaders may
 * transform at once on their own connections, but callers must still hold store.exclusive(), since
 * two of them registering the same new address would list it twice.
 */
export async function transformStaged(
  connection: DuckDBConnection,
  layout: VpcLayout,
  source: string,
  beforeCommit?: (connection: DuckDBConnection) => Promise<void>,
): Promise<KindCounts> {
  return (await transform(connection, layout, source, 'text', beforeCommit)) as KindCounts;
}

/**
 * The same transform over a relation typed by DuckDB's CSV reader (see Staging), for batches that
 * hold only flows and log-health records. Undefined, with nothing stored, when any row is a header or
 * bad: the caller then stages the batch as text, whose transform words each bad line's reason.
 */
export async function transformTyped(
  connection: DuckDBConnection,
  layout: VpcLayout,
  source: string,
  beforeCommit?: (connection: DuckDBConnection) => Promise<void>,
): Promise<KindCounts | undefined> {
  return transform(connection, layout, source, 'typed', beforeCommit);
}

async function transform(
  connection: DuckDBConnection,
  layout: VpcLayout,
  source: string,
  staging: Staging,
  beforeCommit?: (connection: DuckDBConnection) => Promise<void>,
): Promise<KindCounts | undefined> {
  for (const sql of addressSql(layout, source, staging)) await connection.run(sql);
  const bad = await connection.runAndReadAll('SELECT count(*) AS n FROM fh_bad_addresses');
  const badAddresses = Number((bad.getRowObjectsJS()[0] as { n: bigint }).n) > 0;
  if (staging === 'typed' && badAddresses) return undefined;
  await connection.run(classifiedTableSql(layout, source, badAddresses, staging));
  await connection.run(ODD_ROWS_SQL);
  if (staging === 'typed') {
    const odd = await connection.runAndReadAll(
      "SELECT count(*) AS n FROM fh_odd WHERE fh_kind NOT IN ('NODATA', 'SKIPDATA')",
    );
    if (Number((odd.getRowObjectsJS()[0] as { n: bigint }).n) > 0) return undefined;
  }
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(insertFlowsSql(layout, staging));
    await connection.run(insertLogHealthSql(layout, staging));
    await connection.run(insertBadLinesSql(layout));
    await beforeCommit?.(connection);
    await connection.run('COMMIT');
  } catch (error) {
    // a failed transaction would otherwise poison every later statement on this connection
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const counts: KindCounts = new Map();
  const reader = await connection.runAndReadAll(countKindsSql(source));
  for (const row of reader.getRowObjectsJS() as { file_id: number; kind: string; n: bigint }[]) {
    if (Number(row.n) > 0) addCount(counts, row.file_id, row.kind, Number(row.n));
  }
  return counts;
}

export function addCount(counts: KindCounts, fileId: number, kind: string, n: number): void {
  const perFile = counts.get(fileId) ?? {};
  perFile[kind] = (perFile[kind] ?? 0) + n;
  counts.set(fileId, perFile);
}

export function mergeCounts(into: KindCounts, from: KindCounts): void {
  for (const [fileId, kinds] of from) {
    for (const [kind, n] of Object.entries(kinds)) addCount(into, fileId, kind, n);
  }
}
