import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { FlowhawkError } from '../errors.js';
import { type Dialect, duckdbDialect } from './dialect.js';
import { IP_MACROS_SQL } from './ipMacros.js';
import { migrate, removeIncompleteFiles } from './schema.js';
import {
  type AnalysisStore,
  type AppendKind,
  RANGED_TABLES,
  rangeCondition,
  type TimeRange,
} from './store.js';

/** DuckDB memory limit while detectors run (see prepareForAnalysis). */
export const ANALYSIS_MEMORY_LIMIT = '1GB';

export interface StoreOptions {
  /** DuckDB file that keeps history across runs; in memory when absent */
  workspace?: string;
  /** DuckDB memory limit, e.g. '1GB' (it spills to its temp directory beyond that) */
  memoryLimit?: string;
  /** DuckDB memory limit while detectors run (default ANALYSIS_MEMORY_LIMIT) */
  analysisMemoryLimit?: string;
  threads?: number;
  /** where batch files and DuckDB's spill files go (a folder with room); the system's temp folder when absent */
  tempDir?: string;
  /**
   * without a workspace: keep the flows in a database file in the scratch folder, removed on close.
   * DuckDB's in-memory tables cannot be spilled, so an in-memory store holds every flow in RAM
   * (about 170 MB per million records) and fails once they pass the memory limit.
   */
  scratchFile?: boolean;
}

/** A byte count as DuckDB's memory_limit takes it, exactly (DuckDB reads '1GB' as 1000^3, 'GiB' as 1024^3). */
export function duckdbBytes(bytes: number): string {
  return `${Math.round(bytes)}B`;
}

/**
 * The embedded DuckDB store: one connection, the canonical schema, and a scratch directory for the
 * batch files the loaders hand to DuckDB's CSV reader (and, with scratchFile, the flows).
 */
export class DuckdbStore implements AnalysisStore {
  readonly dialect: Dialect = duckdbDialect;
  /** files an earlier run left incomplete, removed at open so that they are read again */
  interruptedFiles: readonly string[] = [];
  private lock: Promise<void> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly workspace: string | undefined,
    private readonly analysisMemoryLimit = ANALYSIS_MEMORY_LIMIT,
    readonly scratchDir: string,
  ) {}

  static async open(options: StoreOptions = {}): Promise<DuckdbStore> {
    let scratchDir: string;
    try {
      scratchDir = mkdtempSync(join(options.tempDir ?? tmpdir(), 'flowhawk-'));
    } catch (error) {
      throw new FlowhawkError(
        'TEMP_DIR',
        `cannot make a scratch folder in ${options.tempDir ?? tmpdir()}: ${(error as Error).message}`,
        'give --temp-dir a folder that exists and can be written',
      );
    }
    const path = options.workspace ?? (options.scratchFile ? join(scratchDir, 'flows.duckdb') : ':memory:');
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, {
        threads: String(options.threads ?? 2),
        memory_limit: options.memoryLimit ?? '400MB',
        preserve_insertion_order: 'true',
      });
    } catch (error) {
      rmSync(scratchDir, { recursive: true, force: true });
      throw new FlowhawkError(
        'WORKSPACE_OPEN',
        `cannot open workspace ${path}: ${(error as Error).message}`,
        'check the path is a flowhawk workspace file and that no other flowhawk process has it open',
      );
    }
    const connection = await instance.connect();
    const store = new DuckdbStore(
      instance,
      connection,
      options.workspace,
      options.analysisMemoryLimit,
      scratchDir,
    );
    await connection.run(`SET temp_directory = '${store.scratchDir.replaceAll("'", "''")}/spill'`);
    for (const sql of IP_MACROS_SQL) await connection.run(sql);
    await migrate(connection);
    store.interruptedFiles = await removeIncompleteFiles(connection);
    return store;
  }

  /** Another connection with the macros; DuckDB runs queries on separate connections concurrently. */
  async connect(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    for (const sql of IP_MACROS_SQL) await connection.run(sql);
    return connection;
  }

  /**
   * Runs `work` while no other exclusive work runs. Loads that register addresses go through here:
   * two connections inserting the same new address at once would list it twice.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Settings for analysis: connection reconstruction and the detectors' ordered aggregates hold far
   * more per row than loading does, and cannot all spill to disk; row order is never relied on (every
   * query that needs an order says ORDER BY). Loading keeps the lower limit (bench: RSS under 1 GB).
   */
  async prepareForAnalysis(memoryLimit = this.analysisMemoryLimit): Promise<void> {
    await this.connection.run(`SET memory_limit = '${memoryLimit.replace(/[^0-9A-Za-z.]/g, '')}'`);
    await this.connection.run('SET preserve_insertion_order = false');
  }

  /**
   * A temporary view of each ranged table under the table's own name, over the stored table named
   * with its catalog: unqualified names find the temporary view first, so every query of the
   * analysis reads the range without knowing of it.
   */
  async restrictToRange(range: TimeRange): Promise<void> {
    const condition = rangeCondition(range);
    for (const table of RANGED_TABLES) await this.connection.run(`DROP VIEW IF EXISTS temp.main.${table}`);
    if (!condition) return;
    const [db] = await this.query<{ name: string }>('SELECT current_database() AS name');
    const catalog = `"${String(db?.name).replaceAll('"', '""')}"`;
    for (const table of RANGED_TABLES) {
      await this.connection.run(
        `CREATE TEMP VIEW ${table} AS SELECT * FROM ${catalog}.main.${table} WHERE ${condition}`,
      );
    }
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Rows as plain objects; BIGINT/HUGEINT values come back as bigint. */
  async query<T = Record<string, unknown>>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as T[];
  }

  /**
   * Rows as plain objects, one result chunk (about 2,048 rows) in memory at a time: for results too
   * big to hold twice (as DuckDB's rows and as what the caller makes of them).
   */
  async *queryRows<T = Record<string, unknown>>(sql: string): AsyncGenerator<T> {
    const result = await this.connection.stream(sql);
    for await (const rows of result.yieldRowObjectJs()) yield* rows as T[];
  }

  async appendRows(
    table: string,
    kinds: readonly AppendKind[],
    rows: Iterable<readonly (string | bigint)[]>,
  ): Promise<void> {
    const appender = await this.connection.createAppender(table, 'main', 'temp');
    try {
      for (const row of rows) {
        kinds.forEach((kind, i) => {
          const value = row[i];
          if (kind === 'address') appender.appendUHugeInt(value as bigint);
          else appender.appendVarchar(value as string);
        });
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.scratchDir, { recursive: true, force: true });
  }
}
