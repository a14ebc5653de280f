import { join } from 'node:path';
import type { ClickhouseStore } from '../store/clickhouse/clickhouseStore.js';
import type { DuckdbStore } from '../store/duckdbStore.js';
import { TABLES } from '../store/schema.js';

/**
 * Canonical flows into ClickHouse: the readers and the validating transform stay DuckDB's (the same
 * code reads every format for both stores), and what they made goes to ClickHouse a file at a time,
 * each table of the file as one Parquet file read by ClickHouse's own Parquet reader (no per-row
 * inserts, no row passes through JavaScript).
 *
 * Idempotent per file, as on DuckDB: a file whose content hash ClickHouse already holds is not sent
 * again, and a file's ingested_files row goes last, so a file cut short (killed, network gone) has
 * rows but no ingested_files row; `removeUnfinishedFiles` deletes those rows before the next load,
 * which then sends the file whole.
 */

export interface ClickhouseLoadResult {
  /** files sent, and files ClickHouse already held (same content hash) */
  sent: number;
  skipped: number;
  flows: number;
}

/** Tables of one file, in the order they are sent: ingested_files last (it says the file is there). */
const FILE_TABLES = ['flows', 'log_health', 'bad_lines'] as const;

/** Sends the complete files of `from` that `to` does not hold yet. */
export async function loadIntoClickhouse(
  from: DuckdbStore,
  to: ClickhouseStore,
): Promise<ClickhouseLoadResult> {
  await removeUnfinishedFiles(to);
  const files = await from.query<{ file_id: number; sha256: string }>(
    'SELECT file_id, sha256 FROM ingested_files WHERE complete IS NOT false ORDER BY file_id',
  );
  const held = new Set(
    (await to.query<{ sha256: string }>('SELECT sha256 FROM ingested_files')).map((r) => r.sha256),
  );
  const [top] = await to.query<{ top: number | null }>('SELECT max(file_id) AS top FROM ingested_files');
  let next = Number(top?.top ?? 0) + 1;
  const result: ClickhouseLoadResult = { sent: 0, skipped: 0, flows: 0 };
  const fresh = files.filter((f) => !held.has(f.sha256));
  result.skipped = files.length - fresh.length;
  if (fresh.length === 0) return result;
  await sendAddresses(from, to);
  for (const file of fresh) {
    const id = next++;
    for (const table of FILE_TABLES) await sendTable(from, to, table, Number(file.file_id), id);
    await sendTable(from, to, 'ingested_files', Number(file.file_id), id);
    const [n] = await from.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM flows WHERE file_id = ${file.file_id}`,
    );
    result.flows += Number(n?.n ?? 0);
    result.sent++;
  }
  return result;
}

/** Rows of files whose ingested_files row never came (a load cut short), deleted. */
export async function removeUnfinishedFiles(to: ClickhouseStore): Promise<void> {
  for (const table of FILE_TABLES) {
    const [orphans] = await to.query<{ n: number }>(
      `SELECT count() AS n FROM ${table} WHERE file_id NOT IN (SELECT file_id FROM ingested_files)`,
    );
    if (Number(orphans?.n ?? 0) === 0) continue;
    const local = to.target.cluster ? `${table}_local ON CLUSTER ${to.target.cluster}` : table;
    await to.run(
      `DELETE FROM ${to.target.database}.${local} WHERE file_id NOT IN (SELECT file_id FROM ${to.target.database}.ingested_files)`,
    );
  }
}

/** One file's rows of one table, renumbered to ClickHouse's file id, through a Parquet file. */
async function sendTable(
  from: DuckdbStore,
  to: ClickhouseStore,
  table: string,
  fromId: number,
  toId: number,
): Promise<void> {
  const columns = (TABLES[table] ?? []).map((c) => c.name);
  const path = join(from.scratchDir, `clickhouse-${table}-${fromId}.parquet`);
  const select = columns
    .map((c) =>
      c === 'file_id' ? `${toId}::UINTEGER AS file_id` : c === 'complete' ? 'true AS complete' : c,
    )
    .join(', ');
  await from.run(
    `COPY (SELECT ${select} FROM ${table} WHERE file_id = ${fromId}) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`,
  );
  await to.insertParquet(table, path, columns);
}

/**
 * The addresses and their 128-bit numbers, computed once by DuckDB's macros: as JSON rows with the
 * number as decimal text (Parquet has no 128-bit integer ClickHouse reads as one). A capture has far
 * fewer distinct addresses than records.
 */
async function sendAddresses(from: DuckdbStore, to: ClickhouseStore): Promise<void> {
  const rows = await from.query<{ addr: string; ip: string; family: number }>(
    'SELECT addr, ip::VARCHAR AS ip, family FROM addresses',
  );
  await to.appendRows(
    `${to.target.database}.addresses`,
    ['text', 'text', 'text'],
    rows.map((r) => [r.addr, r.ip, String(r.family)]),
  );
}
