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
  /**
   * the value of `value` on the row where `by` is smallest; `by` may be a tuple `(a, b, …)`, compared
   * term by term in both engines: analysis needs a total order, so a time is followed by the key
   * columns that break its ties (and, last, `value` itself: rows equal on all of them give one answer)
   */
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
  /** a statement making (or replacing) a scratch table of the analysis with these columns */
  createTable(name: string, columns: Readonly<Record<string, ScratchType>>): string;
  /** a statement making (or replacing) a scratch table of the analysis from a SELECT */
  createTableAs(name: string, select: string): string;
  /** an address's 128-bit number as a literal of the type addresses.ip has */
  addressLiteral(value: bigint): string;
  /**
   * `ASOF LEFT JOIN table alias ON condition` (one inequality): the row of `table` closest below. The
   * left side must have a column `asof_key` = 0: ClickHouse's hash ASOF join needs an equality too.
   */
  asofLeftJoin(table: string, alias: string, left: string, condition: string): string;
}

/** A column type of a scratch table: text, an address's 128-bit number, an integer, a double. */
export type ScratchType = 'text' | 'address' | 'integer' | 'double';

const DUCKDB_TYPES: Readonly<Record<ScratchType, string>> = {
  text: 'VARCHAR',
  address: 'UHUGEINT',
  integer: 'BIGINT',
  double: 'DOUBLE',
};

// Nullable, as DuckDB's columns are: the analysis inserts NULL for "any port", "no protocol"
const CLICKHOUSE_TYPES: Readonly<Record<ScratchType, string>> = {
  text: 'Nullable(String)',
  address: 'UInt128',
  integer: 'Nullable(Int64)',
  double: 'Nullable(Float64)',
};

const columnList = (columns: Readonly<Record<string, ScratchType>>, types: Record<ScratchType, string>) =>
  Object.entries(columns)
    .map(([name, type]) => `${name} ${types[type]}`)
    .join(', ');

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
  createTable: (name, columns) =>
    `CREATE OR REPLACE TEMP TABLE ${name} (${columnList(columns, DUCKDB_TYPES)})`,
  createTableAs: (name, select) => `CREATE OR REPLACE TEMP TABLE ${name} AS ${select}`,
  addressLiteral: (value) => `${value}::UHUGEINT`,
  asofLeftJoin: (table, alias, _left, condition) => `ASOF LEFT JOIN ${table} ${alias} ON ${condition}`,
};

export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  bitAnd: (a, b) => `bitAnd(${a}, ${b})`,
  bitOrAggregate: (value) => `groupBitOr(${value})`,
  hash64: (value) => `cityHash64(${value})`,
  argMin: (value, by) => `argMin(${value}, ${by})`,
  // -IfOrNull: NULL for no row, as DuckDB's FILTER gives (count stays 0)
  aggregateIf: (fn, expr, condition) =>
    expr === '*'
      ? `${fn}If(${condition})`
      : fn === 'count'
        ? `countIf(${expr}, ${condition})`
        : `${fn}IfOrNull(${expr}, ${condition})`,
  orderedList: (value, by) =>
    `arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((${clickhouseSortKey(by)}, ${value}))))`,
  distinctList: (value) => `groupUniqArray(${value})`,
  inlineCte: 'AS',
  orderedRecords: (fields, by) =>
    `arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((${clickhouseSortKey(by)}, CAST(tuple(${Object.values(
      fields,
    ).join(', ')}), 'Tuple(${Object.keys(fields)
      .map((name) => `${name} Nullable(Float64)`)
      .join(', ')})')))))`,
  // temporary tables live as long as the session (the chdb connection, or the HTTP session_id)
  createTable: (name, columns) =>
    `CREATE OR REPLACE TEMPORARY TABLE ${name} (${columnList(columns, CLICKHOUSE_TYPES)}) ENGINE = Memory`,
  createTableAs: (name, select) => `CREATE OR REPLACE TEMPORARY TABLE ${name} ENGINE = Memory AS ${select}`,
  addressLiteral: (value) => `toUInt128('${BigInt(value)}')`,
  asofLeftJoin: (table, alias, left, condition) =>
    `ASOF LEFT JOIN (SELECT *, 0 AS asof_key FROM ${table}) ${alias} ON ${alias}.asof_key = ${left}.asof_key AND ${condition}`,
};

/**
 * An ORDER BY list (`a, b DESC`) as one sort key for arraySort: a tuple, each DESC term negated (so
 * DESC works on numbers only, which is all the cards sort that way).
 */
function clickhouseSortKey(by: string): string {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= by.length; i++) {
    const c = by[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if ((c === ',' && depth === 0) || i === by.length) {
      terms.push(by.slice(start, i).trim());
      start = i + 1;
    }
  }
  const keys = terms.map((term) => {
    const desc = /\s+DESC$/i.exec(term);
    const expr = term.replace(/\s+(ASC|DESC)$/i, '');
    return desc ? `-toFloat64(${expr})` : expr;
  });
  return keys.length === 1 ? (keys[0] as string) : `tuple(${keys.join(', ')})`;
}

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
