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
  { name: 'bytes', duckdb: 'BIGINT', clickhouse: 'UInt64', meaning: 'size on disk' },
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
];

const BAD_LINES: readonly ColumnDef[] = [
  { name: 'file_id', duckdb: 'INTEGER', clickhouse: 'UInt32', meaning: 'ingested file' },
  { name: 'line', duckdb: 'BIGINT', clickhouse: 'UInt64', meaning: '1-based line' },
  { name: 'reason', duckdb: 'VARCHAR', clickhouse: 'String', meaning: 'what was wrong' },
  { name: 'excerpt', duckdb: 'VARCHAR', clickhouse: 'String', meaning: 'the start of the offending line' },
];

function createTable(name: string, columns: readonly ColumnDef[]): string[] {
  const create = `CREATE TABLE IF NOT EXISTS ${name} (${columns.map((c) => `${c.name} ${c.duckdb}`).join(', ')})`;
  // Columns added by later versions reach old workspaces through ADD COLUMN IF NOT EXISTS.
  const adds = columns.map((c) => `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${c.name} ${c.duckdb}`);
  return [create, ...adds];
}

/** Brings a new or older workspace to the current schema; safe to run on every open. */
export async function migrate(connection: DuckDBConnection): Promise<void> {
  const statements = [
    ...createTable('ingested_files', INGESTED_FILES),
    ...createTable('flows', FLOW_COLUMNS),
    ...createTable('log_health', LOG_HEALTH_COLUMNS),
    ...createTable('bad_lines', BAD_LINES),
    ...createTable('addresses', ADDRESS_COLUMNS),
  ];
  for (const sql of statements) await connection.run(sql);
}
