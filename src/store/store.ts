import { type Dialect, sqlNumber } from './dialect.js';

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
  /**
   * From now on the analysis sees only the flows and log-health facts that start within `range`
   * (after loading: a restricted DuckDB store takes no more rows); an empty range lifts it.
   */
  restrictToRange(range: TimeRange): Promise<void>;
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

/**
 * The analysed span, Unix seconds: records whose start_time is at or after `since` and before
 * `until` (either may be absent), so that a store holding months is analysed a day at a time.
 */
export interface TimeRange {
  since?: number;
  until?: number;
}

/** SQL condition on start_time for a range; undefined for an open range (no condition). */
export function rangeCondition(range: TimeRange): string | undefined {
  const parts = [
    ...(range.since === undefined ? [] : [`start_time >= ${sqlNumber(range.since)}`]),
    ...(range.until === undefined ? [] : [`start_time < ${sqlNumber(range.until)}`]),
  ];
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

/** The tables a range restricts. */
export const RANGED_TABLES = ['flows', 'log_health'] as const;
