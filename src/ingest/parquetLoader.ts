import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api';
import type { RecordSink } from '../readers/recordSink.js';
import { vpcField } from '../readers/vpcFields.js';
import type { VpcLayout } from '../readers/vpcText.js';
import type { DuckdbStore } from '../store/duckdbStore.js';
import { type KindCounts, mergeCounts, transformStaged } from './vpcTransform.js';

/** What a Parquet load found: per-file counts, and the fields the file has (undefined if unreadable). */
export interface ParquetLoad {
  counts: KindCounts;
  layout?: VpcLayout;
}

type Report = Pick<RecordSink, 'badLine' | 'warn'>;

const STAGED = 'fh_parquet';
/** Rows staged per transform: like the text path's batches, a few hundred MB of text at most. */
export const PARQUET_BATCH_ROWS = 500_000;
const quoteString = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Loads one file of AWS's Parquet delivery option (columns named like the text fields with '_' for
 * '-'; INT_32/INT_64 numbers, strings, NULL for missing) through the same validating transform as text.
 *
 * Rows are staged exactly as the text path stages a batch, every value rendered as text and NULL as
 * '-', so validation and the canonical mapping cannot differ between the two formats. `line` is the
 * 1-based record index (file_row_number + 1). A file DuckDB cannot read (truncated, corrupt, not
 * Parquet after all) becomes one bad line, at the first record of the batch that failed (line 1 when
 * the footer is unreadable); the batches before it stay loaded and the run goes on with other files.
 */
export async function loadParquet(
  store: DuckdbStore,
  fileId: number,
  path: string,
  report: Report,
  batchRows = PARQUET_BATCH_ROWS,
): Promise<ParquetLoad> {
  // temp tables are per connection: a connection of its own keeps this load apart from the text
  // loader's batches staged on the main connection at the same time
  const connection = await store.connect();
  const counts: KindCounts = new Map();
  try {
    let columns: { layout: VpcLayout; selected: string[] };
    let rows: number;
    try {
      columns = await mapColumns(connection, path, report);
      rows = await rowCount(connection, path);
    } catch (error) {
      report.badLine(1, unreadable(error, path), '');
      return { counts };
    }
    const { layout, selected } = columns;
    if (selected.length === 0) return { counts, layout };
    // file_row_number filters reach the reader's row-group pruning: each batch reads only its rows
    for (let first = 0; first < rows; first += batchRows) {
      try {
        await connection.run(`CREATE OR REPLACE TEMP TABLE ${STAGED} AS
          SELECT ${fileId}::INTEGER AS fh_file_id, (file_row_number + 1)::BIGINT AS fh_line, ${selected.join(', ')}
          FROM ${readParquet(path)}
          WHERE file_row_number >= ${first} AND file_row_number < ${first + batchRows}`);
      } catch (error) {
        // the rows before are in; nothing after a damaged row group can be trusted to be found
        report.badLine(first + 1, unreadable(error, path), '');
        break;
      }
      mergeCounts(counts, await store.exclusive(() => transformStaged(connection, layout, STAGED)));
    }
    await connection.run(`DROP TABLE IF EXISTS ${STAGED}`);
    return { counts, layout };
  } finally {
    connection.closeSync();
  }
}

/**
 * What loading the file decompresses: its column data uncompressed, from the footer alone. Undefined
 * when the footer is unreadable, which loadParquet then reports as a bad line.
 */
export async function parquetDataBytes(
  connection: DuckDBConnection,
  path: string,
): Promise<number | undefined> {
  let sizes: DuckDBResultReader;
  try {
    sizes = await connection.runAndReadAll(
      `SELECT sum(total_uncompressed_size) AS n FROM parquet_metadata(${quoteString(path)})`,
    );
  } catch {
    return undefined;
  }
  // no row groups (an empty file) sums to NULL
  return Number((sizes.getRowObjectsJS()[0] as { n: bigint | null } | undefined)?.n ?? 0);
}

function readParquet(path: string): string {
  // hive_partitioning off: AWS's Hive-compatible S3 prefixes (aws-account-id=…/year=…) would otherwise
  // arrive as extra columns; binary_as_string: some writers store text as plain BINARY
  return `read_parquet(${quoteString(path)}, file_row_number = true, hive_partitioning = false,
    binary_as_string = true)`;
}

/** The file's columns as a layout, and the staging expression of each column it keeps. */
async function mapColumns(connection: DuckDBConnection, path: string, report: Report) {
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${readParquet(path)}`);
  const columns = (described.getRowObjectsJS() as { column_name: string }[])
    .map((row) => row.column_name)
    .filter((name) => name !== 'file_row_number');
  const fields: string[] = [];
  const selected: string[] = [];
  const unknown: string[] = [];
  for (const column of columns) {
    const field = vpcField(column.toLowerCase());
    if (!field || fields.includes(field.name)) {
      unknown.push(column);
      continue;
    }
    // '' is no value a text record can hold: treat it, like NULL, as the text format's '-'
    selected.push(`coalesce(NULLIF(CAST(${quoteIdent(column)} AS VARCHAR), ''), '-') AS f${fields.length}`);
    fields.push(field.name);
  }
  if (fields.length === 0) {
    report.badLine(
      1,
      `no VPC flow log columns in this Parquet file (it has: ${columns.join(', ') || 'none'}); ` +
        'expected AWS names such as srcaddr, dstaddr, log_status',
      '',
    );
  } else if (unknown.length > 0) {
    report.warn(`unknown or repeated column(s) ${unknown.join(', ')} skipped (values not stored)`);
  }
  return { layout: { fields, unknown } satisfies VpcLayout, selected };
}

async function rowCount(connection: DuckDBConnection, path: string): Promise<number> {
  // answered from the file's footer, without reading the data
  const counted = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${readParquet(path)}`);
  return Number((counted.getRowObjectsJS()[0] as { n: bigint }).n);
}

function unreadable(error: unknown, path: string): string {
  // DuckDB names the error class and the file, and appends the SQL: the bad line names the file already
  const cause = ((error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '')
    .replace(/^[A-Za-z ]+ Error: /, '')
    .replace(` "${path}"`, '')
    .replace(` '${path}'`, '')
    // DuckDB quotes bytes of a corrupt footer raw ("don't know what type: \r"): keep them off the terminal
    .replace(/\p{Cc}/gu, '?');
  return `cannot read this Parquet file (${cause}): truncated or corrupt? Download or copy it again`;
}
