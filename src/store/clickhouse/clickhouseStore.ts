import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  type ClickHouseClient,
  type ClickHouseSettings,
  createClient,
  SettingsMap,
} from '@clickhouse/client';
import { FlowhawkError } from '../../errors.js';
import { clickhouseDialect, type Dialect } from '../dialect.js';
import {
  type AnalysisStore,
  type AppendKind,
  RANGED_TABLES,
  rangeCondition,
  type TimeRange,
} from '../store.js';
import { MIGRATIONS, migrationsTableSql, type SchemaTarget } from './schema.js';
import { type ClickhouseLocation, parseClickhouseUrl, redact } from './storeUrl.js';

/**
 * The ClickHouse store: the same AnalysisStore the engine and the detectors run on over DuckDB, over
 * the official client (@clickhouse/client). The client speaks HTTP to a server or a cluster, or, for
 * `chdb://`, calls the ClickHouse engine embedded in this process (the optional `chdb` package plugs
 * into the client as its connection), so one class serves both and every query takes the same path.
 *
 * The analysis's scratch tables (fh_connections …) are TEMPORARY tables, which live as long as the
 * session: the chdb connection, or over HTTP the session_id this store gives its client.
 */

/**
 * Settings that make ClickHouse answer as the feature queries expect, which is as DuckDB does: an
 * outer join's missing side is NULL (not the type's default), a bare UNION is UNION DISTINCT, and
 * 64-bit counts come back as JSON numbers.
 */
export const CLICKHOUSE_SETTINGS: ClickHouseSettings = {
  join_use_nulls: 1,
  union_default_mode: 'DISTINCT',
  // an alias that repeats a column's name (sum(ports) AS ports) names the output, not the column
  prefer_column_name_to_alias: 1,
  output_format_json_quote_64bit_integers: 0,
  output_format_json_named_tuples_as_objects: 1,
  // the evidence joins keep a port or protocol condition beside the equalities (k.port IS NULL OR …)
  allow_experimental_join_condition: 1,
};

/** On a cluster: subqueries over the initiator's temporary tables go to the shards with the query. */
const CLUSTER_SETTINGS: ClickHouseSettings = { prefer_global_in_and_join: 1 };

export class ClickhouseStore implements AnalysisStore {
  readonly dialect: Dialect = clickhouseDialect;
  /** additional_table_filters of every query: the analysis range (see restrictToRange) */
  private tableFilters: Record<string, string> = {};

  private constructor(
    readonly client: ClickHouseClient,
    readonly location: ClickhouseLocation,
    readonly target: SchemaTarget,
  ) {}

  /** Opens the store at a `clickhouse://` or `chdb://` URL and brings its schema up to date. */
  static async open(url: string | ClickhouseLocation): Promise<ClickhouseStore> {
    const location = typeof url === 'string' ? parseClickhouseUrl(url) : url;
    const client = await makeClient(location);
    const target: SchemaTarget = {
      database: location.database,
      ...(location.kind === 'http' && location.cluster ? { cluster: location.cluster } : {}),
    };
    const store = new ClickhouseStore(client, location, target);
    try {
      await store.migrate();
    } catch (error) {
      await client.close();
      throw new FlowhawkError(
        'STORE_OPEN',
        `cannot prepare the ClickHouse store ${describe(location)}: ${(error as Error).message}`,
        'check that the server is up, the user may create tables in the database, and the cluster name is right',
      );
    }
    return store;
  }

  /** Runs the migrations not yet recorded in fh_schema_migrations, in order. */
  async migrate(): Promise<number[]> {
    const t = this.target;
    const on = t.cluster ? ` ON CLUSTER ${t.cluster}` : '';
    await this.run(`CREATE DATABASE IF NOT EXISTS ${t.database}${on}`);
    await this.run(migrationsTableSql(t));
    const done = await this.query<{ version: number }>(
      `SELECT DISTINCT version FROM ${t.database}.fh_schema_migrations`,
    );
    const have = new Set(done.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (have.has(migration.version)) continue;
      for (const sql of migration.statements(t)) await this.run(sql);
      await this.run(
        `INSERT INTO ${t.database}.fh_schema_migrations (version, description) VALUES (${migration.version}, '${migration.description.replaceAll("'", "''")}')`,
      );
      applied.push(migration.version);
    }
    return applied;
  }

  async prepareForAnalysis(): Promise<void> {}

  /**
   * ClickHouse's additional_table_filters, given with every query (the embedded engine keeps a
   * query's settings for the next, so an empty map lifts the range): each read of a ranged table,
   * the Distributed one and the shards' local ones, gets the condition, and a day partition outside
   * the range is never read.
   */
  async restrictToRange(range: TimeRange): Promise<void> {
    const condition = rangeCondition(range);
    const names = RANGED_TABLES.flatMap((t) => (this.target.cluster ? [t, `${t}_local`] : [t]));
    // the condition holds numbers only (rangeCondition), nothing a map literal would need escaped
    this.tableFilters = condition ? Object.fromEntries(names.map((n) => [n, condition])) : {};
  }

  private get settings(): ClickHouseSettings {
    return { additional_table_filters: SettingsMap.from(this.tableFilters) };
  }

  async run(sql: string): Promise<void> {
    await this.client.command({ query: sql, clickhouse_settings: this.settings });
  }

  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const result = await this.client.query({
      query: sql,
      format: 'JSONEachRow',
      clickhouse_settings: this.settings,
    });
    return (await result.json<Record<string, unknown>>()).map(unqualified) as T[];
  }

  async *queryRows<T = Record<string, unknown>>(sql: string): AsyncGenerator<T> {
    const result = await this.client.query({
      query: sql,
      format: 'JSONEachRow',
      clickhouse_settings: this.settings,
    });
    for await (const rows of result.stream<Record<string, unknown>>()) {
      for (const row of rows) yield unqualified(row.json()) as T;
    }
  }

  /** Rows as JSON arrays, 128-bit numbers as decimal text (ClickHouse parses them into UInt128). */
  async appendRows(
    table: string,
    kinds: readonly AppendKind[],
    rows: Iterable<readonly (string | bigint)[]>,
  ): Promise<void> {
    const batch: unknown[][] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.client.insert({ table, values: batch.splice(0), format: 'JSONCompactEachRow' });
    };
    for (const row of rows) {
      batch.push(kinds.map((kind, i) => (kind === 'address' ? String(row[i]) : row[i])));
      if (batch.length >= 50_000) await flush();
    }
    await flush();
  }

  /**
   * Loads a Parquet file into a table, in ClickHouse's own Parquet reader: the embedded engine reads
   * the file where it lies, a server gets it streamed over HTTP.
   */
  async insertParquet(table: string, path: string, columns: readonly string[]): Promise<void> {
    if (this.location.kind === 'chdb') {
      const list = columns.join(', ');
      await this.run(
        `INSERT INTO ${this.target.database}.${table} (${list}) SELECT ${list} FROM file('${path.replaceAll("'", "''")}', Parquet)`,
      );
      return;
    }
    await this.client.insert({
      table: `${this.target.database}.${table}`,
      values: createReadStream(path),
      format: 'Parquet',
      columns: [...columns] as [string, ...string[]],
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * A row's columns under the names DuckDB gives them: ClickHouse names a column selected as `c.client`
 * from a join `c.client`, DuckDB `client`, which is what the scoring reads.
 */
function unqualified(row: Record<string, unknown>): Record<string, unknown> {
  let renamed: Record<string, unknown> | undefined;
  for (const key of Object.keys(row)) {
    const match = /^[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(key);
    if (!match?.[1] || match[1] in row) continue;
    renamed ??= { ...row };
    renamed[match[1]] = row[key];
    delete renamed[key];
  }
  return renamed ?? row;
}

function describe(location: ClickhouseLocation): string {
  return location.kind === 'chdb'
    ? `chdb://${location.path ?? '(temporary)'}`
    : `${redact(location.url)}/${location.database}`;
}

async function makeClient(location: ClickhouseLocation): Promise<ClickHouseClient> {
  if (location.kind === 'http') {
    return createClient({
      url: location.url,
      username: location.username,
      password: location.password,
      database: location.database,
      // temporary tables belong to a session
      session_id: `flowhawk-${randomUUID()}`,
      clickhouse_settings: { ...CLICKHOUSE_SETTINGS, ...(location.cluster ? CLUSTER_SETTINGS : {}) },
    });
  }
  let chdb: { createChdbConnection: (options: { path: string }) => unknown };
  try {
    chdb = (await import('chdb/connection')) as typeof chdb;
  } catch (error) {
    throw new FlowhawkError(
      'STORE_OPEN',
      `chdb:// needs the chdb package, which is not installed (${(error as Error).message})`,
      'run `npm install chdb` (Linux or macOS, about 550 MB), or use clickhouse:// with a server',
    );
  }
  const connection = chdb.createChdbConnection({ path: location.path ?? ':memory:' });
  return createClient({
    connection: connection as never,
    clickhouse_settings: CLICKHOUSE_SETTINGS,
  });
}
