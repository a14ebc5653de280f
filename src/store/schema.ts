import type { DuckDBConnection } from '@duckdb/node-api';
import { ADDRESS_COLUMNS, type ColumnDef, FLOW_COLUMNS, LOG_HEALTH_COLUMNS } from '../flow.js';

/** Bookkeeping tables; the canonical ones come from src/flow.ts. */
const INGESTED_FILES: readonly ColumnDef[] = [
  { name: 'file_id', duckdb: 'INTEGER', clickhouse: 'UInt32', meaning: 'id referenced by flows.file_id' },
  { name: 'path', duckdb: 'VARCHAR', clickhouse: 'String', meaning: 'path as given (or "-" for stdin)' },
  {
    name: 'sha256',
    duckdb: 'VARCHAR',
    clickhouse: 'String',
    meaning: 'content hash: the same file is read once',
  },
  { name: 'format', duckdb: 'VARCHAR', clickhouse: 'String', meaning: 'reader that read it' },
  { name: 'size_bytes', duckdb: 'BIGINT', clickhouse: 'UInt64', meaning: 'size on disk' },
  {
    name: 'path_account_id',
    duckdb: 'VARCHAR',
    clickhouse: 'Nullable(String)',
    meaning: 'account from the S3 path',
  },
  {
    name: 'path_region',
    duckdb: 'VARCHAR',
    clickhouse: 'Nullable(String)',
    meaning: 'region from the S3 path',
  },
  { name: 'ingested_at', duckdb: 'TIMESTAMP', clickhouse: 'DateTime', meaning: 'when it was read' },
  {
    name: 'complete',
    duckdb: 'BOOLEAN',
    clickhouse: 'Bool',
    meaning:
      'every row, bad line and log-health fact of the file is stored (false while it is read; NULL in workspaces older than the flag)',
  },
  {
    name: 'etag',
    duckdb: 'VARCHAR',
    clickhouse: 'Nullable(String)',
    meaning:
      'for an s3:// object, its ETag when read: with size_bytes, how a re-run knows it unchanged without downloading it (NULL for local files)',
  },
];

const BAD_LINES: readonly ColumnDef[] = [
  { name: 'file_id', duckdb: 'INTEGER', clickhouse: 'UInt32', meaning: 'ingested file' },
  { name: 'line', duckdb: 'BIGINT', clickhouse: 'UInt64', meaning: '1-based line' },
  { name: 'reason', duckdb: 'VARCHAR', clickhouse: 'String', meaning: 'what was wrong' },
  { name: 'excerpt', duckdb: 'VARCHAR', clickhouse: 'String', meaning: 'the start of the offending line' },
];

export const TABLES: Readonly<Record<string, readonly ColumnDef[]>> = {
  ingested_files: INGESTED_FILES,
  flows: FLOW_COLUMNS,
  log_health: LOG_HEALTH_COLUMNS,
  bad_lines: BAD_LINES,
  addresses: ADDRESS_COLUMNS,
};

/**
 * Brings a new or older workspace to the current schema; safe to run on every open. Columns added by
 * later versions reach old workspaces through ADD COLUMN.
 */
export async function migrate(connection: DuckDBConnection): Promise<void> {
  const existing = await connection.runAndReadAll(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'",
  );
  const have = new Set(existing.getRowObjectsJS().map((r) => `${r.table_name}.${r.column_name}`));
  for (const [table, columns] of Object.entries(TABLES)) {
    if (!columns.some((c) => have.has(`${table}.${c.name}`))) {
      await connection.run(
        `CREATE TABLE ${table} (${columns.map((c) => `${c.name} ${c.duckdb}`).join(', ')})`,
      );
      continue;
    }
    for (const c of columns) {
      if (!have.has(`${table}.${c.name}`))
        await connection.run(`ALTER TABLE ${table} ADD COLUMN ${c.name} ${c.duckdb}`);
    }
  }
}

/** Tables whose rows belong to one ingested file (ingested_files last: it says which files exist). */
export const PER_FILE_TABLES = ['flows', 'log_health', 'bad_lines', 'ingested_files'] as const;

/**
 * Removes what a run cut short (killed, out of memory, a closed laptop) left of the files it had not
 * finished: their rows were committed batch by batch, but the files were never marked complete. The
 * next run then reads those files again from the start. Returns the paths removed.
 */
export async function removeIncompleteFiles(connection: DuckDBConnection): Promise<string[]> {
  const found = await connection.runAndReadAll(
    'SELECT file_id, path FROM ingested_files WHERE complete = false ORDER BY file_id',
  );
  const rows = found.getRowObjectsJS() as { file_id: number; path: string }[];
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.file_id).join(', ');
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const table of PER_FILE_TABLES)
      await connection.run(`DELETE FROM ${table} WHERE file_id IN (${ids})`);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return rows.map((r) => r.path);
}
