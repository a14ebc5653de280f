/**
 * The few SQL functions that differ between the engines flowhawk's feature queries run on.
 *
 * Feature queries are otherwise plain SQL (GROUP BY, CASE, count(DISTINCT …), min/max, sum), so the
 * same detector runs on DuckDB today and on ClickHouse when a user outgrows one machine. Anything
 * engine-specific goes through here; a detector never writes `&`, `list(…)` or `arg_min` itself.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  /** bitwise AND of two integer expressions */
  bitAnd(a: string, b: string): string;
  /** bitwise OR of an integer expression over the group's rows (one aggregate for many flags) */
  bitOrAggregate(value: string): string;
  /** a 64-bit hash of a string: comparing hashes is cheaper than comparing the strings */
  hash64(value: string): string;
  /** the value of `value` on the row where `by` is smallest */
  argMin(value: string, by: string): string;
  /**
   * `fn(expr)` over the group's rows where `condition` holds (`expr` '*' with count). DuckDB's FILTER
   * gives NULL for sum/min/max of no row; ClickHouse's -If gives the type's default: callers that must
   * tell "no row" apart count the rows themselves.
   */
  aggregateIf(fn: 'count' | 'sum' | 'min' | 'max', expr: string, condition: string): string;
  /** all values of `value` in the group, as an array ordered by `by` */
  orderedList(value: string, by: string): string;
  /** the distinct values of `value` in the group, as an array in no particular order */
  distinctList(value: string): string;
  /**
   * Several values per row as one array of records ordered by `by`: one ordered aggregate instead of
   * parallel orderedLists, each of which DuckDB buffers separately per group (out of memory on large
   * groupings).
   */
  orderedRecords(fields: Readonly<Record<string, string>>, by: string): string;
  /**
   * Between a CTE's name and AS: keep the CTE inline. DuckDB materialises a CTE read more than once,
   * which for one over the whole flows table costs more than scanning the table again.
   */
  readonly inlineCte: string;
}

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  bitAnd: (a, b) => `(${a} & ${b})`,
  bitOrAggregate: (value) => `bit_or(${value})`,
  hash64: (value) => `hash(${value})`,
  argMin: (value, by) => `arg_min(${value}, ${by})`,
  aggregateIf: (fn, expr, condition) => `${fn}(${expr}) FILTER (WHERE ${condition})`,
  orderedList: (value, by) => `list(${value} ORDER BY ${by})`,
  distinctList: (value) => `list(DISTINCT ${value})`,
  inlineCte: 'AS NOT MATERIALIZED',
  orderedRecords: (fields, by) =>
    `list({${Object.entries(fields)
      .map(([name, value]) => `'${name}': ${value}`)
      .join(', ')}} ORDER BY ${by})`,
};

export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  bitAnd: (a, b) => `bitAnd(${a}, ${b})`,
  bitOrAggregate: (value) => `groupBitOr(${value})`,
  hash64: (value) => `cityHash64(${value})`,
  argMin: (value, by) => `argMin(${value}, ${by})`,
  aggregateIf: (fn, expr, condition) =>
    expr === '*' ? `${fn}If(${condition})` : `${fn}If(${expr}, ${condition})`,
  orderedList: (value, by) => `arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((${by}, ${value}))))`,
  distinctList: (value) => `groupUniqArray(${value})`,
  inlineCte: 'AS',
  orderedRecords: (fields, by) =>
    `arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((${by}, tuple(${Object.entries(fields)
      .map(([name, value]) => `${value} AS ${name}`)
      .join(', ')})))))`,
};

/** An integer list for `IN (…)`; throws on anything but safe integers, so it can never inject SQL. */
export function sqlIntList(values: readonly number[]): string {
  for (const value of values) {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer for SQL: ${value}`);
  }
  return values.length === 0 ? 'NULL' : values.join(', ');
}

/** A number for SQL; throws on NaN/Infinity so a bad config value can never reach a query. */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number for SQL: ${value}`);
  return String(value);
}
