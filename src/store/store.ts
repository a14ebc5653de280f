import type { Dialect } from './dialect.js';

/** What a column of `appendRows` holds: text, or an address as its 128-bit number (like addresses.ip). */
export type AppendKind = 'text' | 'address';

/**
 * What the analysis needs of a store: SQL in, rows out, in the store's dialect. The engine, the
 * detectors and the threat-list tables use only this, so a second engine (ClickHouse, #14) is one
 * more implementation; DuckdbStore is the first. Loading is the ingest's business, not this one's.
 */
export interface AnalysisStore {
  readonly dialect: Dialect;
  /** settings for analysis (memory, row order), before the first feature query */
  prepareForAnalysis(): Promise<void>;
  run(sql: string): Promise<void>;
  /** rows as plain objects; 64-bit and wider integers as bigint */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** the same, a chunk at a time: for results too big to hold twice */
  queryRows<T = Record<string, unknown>>(sql: string): AsyncGenerator<T>;
  /** bulk rows into an existing temporary table, column kinds in order (INSERT … VALUES is ~30× slower) */
  appendRows(
    table: string,
    kinds: readonly AppendKind[],
    rows: Iterable<readonly (string | bigint)[]>,
  ): Promise<void>;
}
