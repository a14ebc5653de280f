import type { ColumnDef } from '../../flow.js';
import { TABLES } from '../schema.js';

/**
 * The ClickHouse schema, as versioned migrations: each runs once, in order, and is recorded in
 * `fh_schema_migrations`, so that a database made by an older flowhawk is brought up to date on open
 * and a current one is left alone. The columns come from the same lists as DuckDB's (src/flow.ts,
 * ../schema.ts), with their ClickHouse types.
 *
 * On a cluster every table is a local table ON CLUSTER (`<name>_local`) under a Distributed table of
 * the plain name, which the analysis reads and the loader writes through.
 */

export interface SchemaTarget {
  database: string;
  cluster?: string;
}

/** How each table is stored: engine, order, partitions, and the sharding key on a cluster. */
interface Layout {
  engine: string;
  orderBy: string;
  partitionBy?: string;
  /** keeps the rows a query groups together on one shard */
  shardBy: string;
}

// a connection's two directions carry the same pair of ends (in either order): hashing the pair in
// canonical order puts both on one shard, so connection reconstruction aggregates shard-locally
const SRC = 'coalesce(pkt_src_addr, src_addr)';
const DST = 'coalesce(pkt_dst_addr, dst_addr)';
export const FLOWS_SHARDING_KEY = `cityHash64(least(coalesce(${SRC}, ''), coalesce(${DST}, '')), greatest(coalesce(${SRC}, ''), coalesce(${DST}, '')))`;

const LAYOUTS: Readonly<Record<string, Layout>> = {
  // partitioned by day and ordered by interface and time: a --since/--until range reads only its days
  flows: {
    engine: 'MergeTree',
    orderBy: "(coalesce(interface_id, ''), coalesce(start_time, 0), file_id, line)",
    partitionBy: 'toYYYYMMDD(toDateTime(toUInt32(greatest(coalesce(start_time, 0), 0))))',
    shardBy: FLOWS_SHARDING_KEY,
  },
  log_health: { engine: 'MergeTree', orderBy: '(file_id, line)', shardBy: 'file_id' },
  bad_lines: { engine: 'MergeTree', orderBy: '(file_id, line)', shardBy: 'file_id' },
  ingested_files: { engine: 'MergeTree', orderBy: 'file_id', shardBy: 'file_id' },
  // one row per address after merges; readers group by addr, so a duplicate before a merge is harmless
  addresses: { engine: 'ReplacingMergeTree', orderBy: 'addr', shardBy: 'cityHash64(addr)' },
};

const columns = (defs: readonly ColumnDef[]) => defs.map((c) => `${c.name} ${c.clickhouse}`).join(', ');

function createTable(target: SchemaTarget, name: string): string[] {
  const layout = LAYOUTS[name];
  const defs = TABLES[name];
  if (!layout || !defs) throw new Error(`no ClickHouse layout for table ${name}`);
  const db = target.database;
  const storage = `ENGINE = ${layout.engine}${layout.partitionBy ? ` PARTITION BY ${layout.partitionBy}` : ''} ORDER BY ${layout.orderBy}`;
  if (!target.cluster) return [`CREATE TABLE IF NOT EXISTS ${db}.${name} (${columns(defs)}) ${storage}`];
  const on = `ON CLUSTER ${target.cluster}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${name}_local ${on} (${columns(defs)}) ${storage}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${name} ${on} AS ${db}.${name}_local
       ENGINE = Distributed(${target.cluster}, ${db}, ${name}_local, ${layout.shardBy})`,
  ];
}

/** One migration: its version and the statements that make it. */
export interface Migration {
  version: number;
  description: string;
  statements: (target: SchemaTarget) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'flows, log_health, bad_lines, ingested_files, addresses',
    statements: (t) => Object.keys(LAYOUTS).flatMap((name) => createTable(t, name)),
  },
  {
    version: 2,
    description: 'ingested_files.etag (the ETag of an s3:// object)',
    statements: (t) => addColumn(t, 'ingested_files', 'etag'),
  },
];

/** A column of ../schema.ts's lists added to a table made by an earlier migration. */
function addColumn(target: SchemaTarget, table: string, column: string): string[] {
  const def = TABLES[table]?.find((c) => c.name === column);
  if (!def) throw new Error(`no column ${table}.${column} in the schema`);
  const add = `ADD COLUMN IF NOT EXISTS ${def.name} ${def.clickhouse}`;
  const db = target.database;
  if (!target.cluster) return [`ALTER TABLE ${db}.${table} ${add}`];
  // the Distributed table has the columns of its own definition: it gains the column too
  const on = `ON CLUSTER ${target.cluster}`;
  return [`ALTER TABLE ${db}.${table}_local ${on} ${add}`, `ALTER TABLE ${db}.${table} ${on} ${add}`];
}

/** The table that records which migrations ran (a plain table: each node of a cluster keeps its own). */
export function migrationsTableSql(target: SchemaTarget): string {
  const on = target.cluster ? ` ON CLUSTER ${target.cluster}` : '';
  return `CREATE TABLE IF NOT EXISTS ${target.database}.fh_schema_migrations${on}
    (version UInt32, description String, applied_at DateTime DEFAULT now())
    ENGINE = ReplacingMergeTree ORDER BY version`;
}
