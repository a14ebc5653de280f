import { FLOW_COLUMNS, LOG_HEALTH_COLUMNS } from '../flow.js';
import { MAX_EPOCH_SECONDS } from '../readers/epochSeconds.js';
import { INT_FIELD_MAX, type VpcField, vpcField } from '../readers/vpcFields.js';
import type { VpcLayout } from '../readers/vpcText.js';

/**
 * SQL that turns staged raw VPC fields (all VARCHAR: fh_file_id, fh_line, f0..fN) into canonical rows.
 *
 * Validation lives here, once, for every path into the store: a record whose value does not fit its
 * field becomes a bad line with a reason; NODATA/SKIPDATA become log-health facts; a repeated header
 * (concatenated files) is counted as a header.
 */

export const MAX_BAD_LINES_KEPT_PER_FILE = 200;

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

interface PlacedField {
  field: VpcField;
  column: string;
}

function placed(layout: VpcLayout): PlacedField[] {
  const out: PlacedField[] = [];
  layout.fields.forEach((name, index) => {
    const field = name === null ? undefined : vpcField(name);
    if (field) out.push({ field, column: `f${index}` });
  });
  return out;
}

/**
 * How a staged relation holds its values: all text with '-' for a missing value (the careful path),
 * or typed by DuckDB's CSV reader (ints UBIGINT, times DOUBLE, the rest VARCHAR) with NULL for '-'.
 */
export type Staging = 'text' | 'typed';

const missing = (column: string, staging: Staging) =>
  staging === 'typed' ? `${column} IS NULL` : `${column} = '-'`;

/** Condition that holds when the value is acceptable for its field, or undefined when any value is. */
function validity(
  { field, column }: PlacedField,
  badAddresses: boolean,
  staging: Staging,
): string | undefined {
  const typed = staging === 'typed';
  const absent = missing(column, staging);
  switch (field.kind) {
    case 'int': {
      const max = INT_FIELD_MAX[field.name] ?? 4_294_967_295;
      return `(${absent} OR ${typed ? column : `TRY_CAST(${column} AS UBIGINT)`} <= ${max})`;
    }
    case 'time':
      // Unix seconds, whole (VPC) or decimal (Zeek, Argus: microseconds). Checked with the very cast that
      // stores the value: BETWEEN also turns away -1, inf and nan, which DOUBLE would hold
      return `(${absent} OR ${typed ? column : `TRY_CAST(${column} AS DOUBLE)`} BETWEEN 0 AND ${MAX_EPOCH_SECONDS})`;
    case 'action':
      return `(${absent} OR ${column} IN ('ACCEPT', 'REJECT'))`;
    case 'status':
      return `(${absent} OR ${column} IN ('OK', 'NODATA', 'SKIPDATA'))`;
    case 'addr':
      // fh_bad_addresses holds this batch's invalid ones (see addressSql); usually there are none
      return badAddresses ? `(${absent} OR ${column} NOT IN (SELECT addr FROM fh_bad_addresses))` : undefined;
    default:
      return undefined;
  }
}

function problem({ field, column }: PlacedField): string {
  const shown = `'${field.name} "' || left(${column}::VARCHAR, 40) || '"'`;
  switch (field.kind) {
    case 'int':
      return `${shown} || ' is not an integer 0-${INT_FIELD_MAX[field.name] ?? 4_294_967_295}'`;
    case 'time':
      return `${shown} || ' is not Unix seconds 0-${MAX_EPOCH_SECONDS}'`;
    case 'action':
      return `${shown} || ' is not ACCEPT, REJECT or -'`;
    case 'status':
      return `${shown} || ' is not OK, NODATA, SKIPDATA or -'`;
    default:
      return `${shown} || ' is not an IPv4 or IPv6 address'`;
  }
}

/**
 * The view `fh_classified`: `source` plus fh_kind (flow|NODATA|SKIPDATA|header|bad) and fh_reason.
 * A view, not a table: flows are read from it once, by their insert; the rare other kinds are
 * materialised in fh_odd (see ODD_ROWS_SQL) for the inserts and counts that need them.
 */
export function classifiedTableSql(
  layout: VpcLayout,
  source: string,
  badAddresses: boolean,
  staging: Staging = 'text',
): string {
  const fields = placed(layout);
  const checks = fields.flatMap((p) => {
    const ok = validity(p, badAddresses, staging);
    // coalesce: TRY_CAST yields NULL for a non-number, and NOT NULL would wave the value through
    return ok ? [`WHEN NOT coalesce(${ok}, false) THEN ${problem(p)}`] : [];
  });
  const status = fields.find((p) => p.field.kind === 'status')?.column;
  // a record of dashes (a placeholder, a broken exporter) is no flow; NODATA/SKIPDATA records are
  // dashes too, but say so in log-status
  const located = fields.filter((p) => p.field.kind === 'addr' || p.field.kind === 'time');
  if (located.length > 0) {
    const dashes = located.map((p) => missing(p.column, staging)).join(' AND ');
    // typed staging holds NULL for '-', which NOT IN would leave undecided (the record then passed as a flow)
    const health = status ? ` AND coalesce(${status}, '-') NOT IN ('NODATA', 'SKIPDATA')` : '';
    checks.push(`WHEN ${dashes}${health} THEN 'no addresses or times (every one is "-")'`);
  }
  const reason = checks.length > 0 ? `CASE ${checks.join(' ')} END` : 'NULL';
  const first = fields[0];
  // typed staging cannot hold a header: the reader's types refuse its names
  const isHeader = first && staging === 'text' ? `${first.column} = ${quote(first.field.name)}` : 'false';
  const healthKind = status ? `WHEN ${status} IN ('NODATA', 'SKIPDATA') THEN ${status}` : '';
  return `CREATE OR REPLACE TEMP VIEW fh_classified AS
    SELECT *, CASE WHEN ${isHeader} THEN 'header' WHEN fh_reason IS NOT NULL THEN 'bad' ${healthKind} ELSE 'flow' END AS fh_kind
    FROM (SELECT *, CASE WHEN ${isHeader} THEN NULL ELSE ${reason} END AS fh_reason FROM ${source})`;
}

/** Registers new valid addresses and collects this batch's invalid ones into fh_bad_addresses. */
export function addressSql(layout: VpcLayout, source: string, staging: Staging = 'text'): string[] {
  const columns = placed(layout)
    .filter((p) => p.field.kind === 'addr')
    .map((p) => p.column);
  const seen =
    columns.length === 0
      ? `SELECT NULL::VARCHAR AS addr WHERE false`
      : columns.map((c) => `SELECT ${c} AS addr FROM ${source}`).join(' UNION ');
  return [
    `CREATE OR REPLACE TEMP TABLE fh_new_addresses AS
       SELECT addr, fh_ip(addr) AS ip FROM (${seen}) AS seen
       WHERE ${staging === 'typed' ? 'addr IS NOT NULL' : "addr <> '-'"} AND addr NOT IN (SELECT addr FROM addresses)`,
    `INSERT INTO addresses SELECT addr, ip, CASE WHEN contains(addr, ':') THEN 6 ELSE 4 END
       FROM fh_new_addresses WHERE ip IS NOT NULL`,
    `CREATE OR REPLACE TEMP TABLE fh_bad_addresses AS SELECT addr FROM fh_new_addresses WHERE ip IS NULL`,
  ];
}

function valueExpr(p: PlacedField, type: string, staging: Staging): string {
  if (staging === 'typed') {
    // range-checked by classification: the narrowing cast cannot fail
    return p.field.kind === 'int' ? `${p.column}::${type}` : p.column;
  }
  const value = `NULLIF(${p.column}, '-')`;
  if (p.field.kind === 'int') return `TRY_CAST(${value} AS ${type})`;
  if (p.field.kind === 'time') return `TRY_CAST(${value} AS DOUBLE)`;
  return value;
}

/** Canonical column expressions for this layout; account and region fall back to the S3 path. */
function canonicalExprs(
  layout: VpcLayout,
  names: readonly { name: string; duckdb: string }[],
  staging: Staging,
): string[] {
  const byColumn = new Map(placed(layout).map((p) => [p.field.column, p]));
  return names.map(({ name, duckdb }) => {
    if (name === 'file_id') return 'fh_file_id';
    if (name === 'line') return 'fh_line';
    const p = byColumn.get(name);
    const own = p ? valueExpr(p, duckdb, staging) : undefined;
    if (name === 'account_id') return own ? `coalesce(${own}, f.path_account_id)` : 'f.path_account_id';
    if (name === 'region') return own ? `coalesce(${own}, f.path_region)` : 'f.path_region';
    if (name === 'status') return byColumn.get('log_status')?.column ?? 'NULL';
    return own ?? 'NULL';
  });
}

const from = (table: string) => `FROM ${table} LEFT JOIN ingested_files f ON f.file_id = ${table}.fh_file_id`;

/** Everything that is not a flow (headers, log-health facts, bad lines): few rows, read twice. */
export const ODD_ROWS_SQL = `CREATE OR REPLACE TEMP TABLE fh_odd AS SELECT * FROM fh_classified WHERE fh_kind <> 'flow'`;

export function insertFlowsSql(layout: VpcLayout, staging: Staging = 'text'): string {
  return `INSERT INTO flows (${FLOW_COLUMNS.map((c) => c.name).join(', ')})
    SELECT ${canonicalExprs(layout, FLOW_COLUMNS, staging).join(', ')} ${from('fh_classified')} WHERE fh_kind = 'flow'`;
}

export function insertLogHealthSql(layout: VpcLayout, staging: Staging = 'text'): string {
  return `INSERT INTO log_health (${LOG_HEALTH_COLUMNS.map((c) => c.name).join(', ')})
    SELECT ${canonicalExprs(layout, LOG_HEALTH_COLUMNS, staging).join(', ')} ${from('fh_odd')}
    WHERE fh_kind IN ('NODATA', 'SKIPDATA')`;
}

export function insertBadLinesSql(layout: VpcLayout): string {
  const text = layout.fields.map((_, index) => `f${index}`).join(', ');
  // a file arrives in batches: what earlier batches kept counts against the file's examples
  return `INSERT INTO bad_lines
    SELECT fh_file_id, fh_line, fh_reason, left(concat_ws(' ', ${text}), 200) FROM fh_odd
    LEFT JOIN (SELECT file_id, count(*) AS kept FROM bad_lines GROUP BY file_id) AS k ON k.file_id = fh_file_id
    WHERE fh_kind = 'bad'
    QUALIFY row_number() OVER (PARTITION BY fh_file_id ORDER BY fh_line) <= ${MAX_BAD_LINES_KEPT_PER_FILE} - coalesce(k.kept, 0)`;
}

/**
 * Per file and kind counts of the batch, for the ingest summary: the odd kinds counted in fh_odd,
 * flows as the rest of each file's rows (so the big view is not scanned again for a count).
 */
export function countKindsSql(source: string): string {
  return `SELECT fh_file_id AS file_id, fh_kind AS kind, count(*) AS n FROM fh_odd GROUP BY ALL
    UNION ALL
    SELECT t.fh_file_id, 'flow', t.n - coalesce(o.n, 0) FROM
      (SELECT fh_file_id, count(*) AS n FROM ${source} GROUP BY fh_file_id) t
      LEFT JOIN (SELECT fh_file_id, count(*) AS n FROM fh_odd GROUP BY fh_file_id) o ON o.fh_file_id = t.fh_file_id`;
}
