import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckdbStore } from '../store/duckdbStore.js';
import { ingest } from './ingest.js';
import { loadParquet } from './parquetLoader.js';

// Records transcribed from ../shared/data/formats/aws-doc-examples (default-v2_*.log, custom-v5_*.log),
// written with the column names and physical types of AWS's Parquet delivery option.
const V2_TYPES: Record<string, string> = {
  version: 'INTEGER',
  account_id: 'VARCHAR',
  interface_id: 'VARCHAR',
  srcaddr: 'VARCHAR',
  dstaddr: 'VARCHAR',
  srcport: 'INTEGER',
  dstport: 'INTEGER',
  protocol: 'INTEGER',
  packets: 'BIGINT',
  bytes: 'BIGINT',
  start: 'BIGINT',
  end: 'BIGINT',
  action: 'VARCHAR',
  log_status: 'VARCHAR',
};

type Value = string | number | null;

let dir: string;
let store: DuckdbStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowhawk-parquet-'));
  store = await DuckdbStore.open();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes rows to a Parquet file with DuckDB, one typed column per entry of `types`. */
async function writeParquet(name: string, types: Record<string, string>, rows: Value[][]): Promise<string> {
  const path = join(dir, name);
  const literal = (value: Value, type: string) =>
    value === null
      ? `NULL::${type}`
      : typeof value === 'number'
        ? `${value}::${type}`
        : `'${value}'::${type}`;
  const names = Object.keys(types);
  const selects = rows.map(
    (row) =>
      `SELECT ${row.map((value, i) => `${literal(value, types[names[i] as string] as string)} AS "${names[i]}"`).join(', ')}`,
  );
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${selects.join(' UNION ALL ')}) TO '${path}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return path;
}

/** A text record as a Parquet row: numbers where the column is numeric, NULL for '-' unless kept. */
function row(text: string, types: Record<string, string>, keepDash = false): Value[] {
  const names = Object.keys(types);
  return text.split(' ').map((value, i) => {
    const type = types[names[i] as string];
    if (value === '-') return keepDash && type === 'VARCHAR' ? '-' : null;
    return type === 'VARCHAR' ? value : Number(value);
  });
}

const v2Rows = (): Value[][] => [
  row(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
    V2_TYPES,
  ),
  row(
    '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
    V2_TYPES,
  ),
  // NODATA as AWS writes it to Parquet: NULLs where the text format has '-'
  row('2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA', V2_TYPES),
  // the same, from a writer that kept the text format's '-' in its string columns
  row('2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA', V2_TYPES, true),
];

async function table(sql: string) {
  return store.query(sql);
}

/** Rows as arrays of their values, in the order the query names them. */
async function rowsOf(sql: string) {
  return (await store.query(sql)).map((found) => Object.values(found));
}

describe('Parquet ingest', () => {
  it('loads the default v2 columns, NULLs as missing, NODATA/SKIPDATA as log health', async () => {
    const path = await writeParquet('v2.parquet', V2_TYPES, v2Rows());
    const summary = await ingest(store, [path]);

    expect(summary.perFile).toEqual([
      { path, format: 'parquet', records: 2, badLines: 0, nodata: 1, skipdata: 1 },
    ]);
    expect(summary.records).toBe(2);
    expect(summary.warnings).toEqual([]);
    expect(summary.fieldsPresent).toContain('log-status');
    expect(summary.fieldsMissing.map((m) => m.field)).toContain('tcp-flags');
    expect(summary.accounts).toEqual(['123456789010']);

    const flows = await rowsOf(
      `SELECT line, version, src_addr, dst_addr, src_port, dst_port, protocol, packets, bytes, start_time, action,
         tcp_flags FROM flows ORDER BY line`,
    );
    expect(flows).toEqual([
      [1n, 2, '172.31.16.139', '172.31.16.21', 20641, 22, 6, 20n, 4249n, 1418530010, 'ACCEPT', null],
      [2n, 2, '172.31.9.69', '172.31.9.12', 49761, 3389, 6, 20n, 4249n, 1418530010, 'REJECT', null],
    ]);
    expect(
      await table('SELECT line, interface_id, start_time, status FROM log_health ORDER BY line'),
    ).toEqual([
      { line: 3n, interface_id: 'eni-1235b8ca123456789', start_time: 1431280876, status: 'NODATA' },
      { line: 4n, interface_id: 'eni-11111111aaaaaaaaa', start_time: 1431280876, status: 'SKIPDATA' },
    ]);
    expect(await table('SELECT addr, family FROM addresses ORDER BY addr')).toHaveLength(4);
  });

  it('maps a v5 column set, and warns once about a column it does not know', async () => {
    // custom-v5_service-traffic-path-flow-direction_with-header.log, plus a column flowhawk does not know
    const header =
      'version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id ' +
      'instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr ' +
      'pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status shard-hint';
    const int32 = ['version', 'srcport', 'dstport', 'protocol', 'tcp-flags', 'traffic-path'];
    const int64 = ['packets', 'bytes', 'start', 'end'];
    const types = Object.fromEntries(
      header
        .split(' ')
        .map((name) => [
          name.replaceAll('-', '_'),
          int32.includes(name) ? 'INTEGER' : int64.includes(name) ? 'BIGINT' : 'VARCHAR',
        ]),
    );
    const where = 'vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789';
    const rows = [
      `5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 ${where} ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK x`,
      `5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 ${where} ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK y`,
    ].map((text) => row(text, types));
    const path = await writeParquet('v5.parquet', types, rows);
    const summary = await ingest(store, [path]);

    expect(summary.records).toBe(2);
    expect(summary.badLines).toBe(0);
    expect(summary.warnings).toEqual([
      `${path}: unknown or repeated column(s) shard_hint skipped (values not stored)`,
    ]);
    expect(summary.fieldsPresent).toEqual(
      expect.arrayContaining(['flow-direction', 'pkt-dst-aws-service', 'tcp-flags']),
    );
    expect(summary.regions).toEqual(['ap-southeast-2']);
    const flows = await rowsOf(
      `SELECT line, ip_type, tcp_flags, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, flow_direction,
         sublocation_type, instance_id FROM flows ORDER BY line`,
    );
    expect(flows).toEqual([
      [1n, 'IPv4', 19, 'S3', null, null, 'ingress', null, 'i-0c50d5961bcb2d47b'],
      [2n, 'IPv4', 3, null, 'S3', 8, 'egress', null, 'i-0c50d5961bcb2d47b'],
    ]);
  });

  it('reports a value its field cannot hold as a bad line at its record index', async () => {
    const rows = v2Rows().slice(0, 2);
    const bad = [...(rows[0] as Value[])];
    bad[5] = 70000;
    const badAddress = [...(rows[1] as Value[])];
    badAddress[3] = '172.31.9.999';
    const path = await writeParquet('bad.parquet', V2_TYPES, [...rows, bad, badAddress]);
    const summary = await ingest(store, [path]);

    expect(summary.records).toBe(2);
    expect(summary.badLines).toBe(2);
    expect(await table('SELECT line, reason, excerpt FROM bad_lines ORDER BY line')).toEqual([
      {
        line: 3n,
        reason: 'srcport "70000" is not an integer 0-65535',
        excerpt:
          '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 70000 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      },
      {
        line: 4n,
        reason: 'srcaddr "172.31.9.999" is not an IPv4 or IPv6 address',
        excerpt: expect.stringContaining('172.31.9.999'),
      },
    ]);
    expect(summary.badLineExamples.map((e) => [e.file, e.line])).toEqual([
      [path, 3],
      [path, 4],
    ]);
  });

  it('reports a truncated file as one bad line and goes on with the other files', async () => {
    const good = await writeParquet('a-good.parquet', V2_TYPES, v2Rows());
    const whole = readFileSync(await writeParquet('b-whole.parquet', V2_TYPES, v2Rows().slice(0, 1)));
    rmSync(join(dir, 'b-whole.parquet'));
    const truncated = join(dir, 'b-truncated.parquet');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const text = join(dir, 'c.log');
    writeFileSync(
      text,
      '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK\n',
    );

    const summary = await ingest(store, [dir]);

    expect(summary.files).toBe(3);
    // two files are read at once, so the order they finish in varies
    const perFile = summary.perFile.map((f) => [f.path, f.format, f.records, f.badLines]).sort();
    expect(perFile).toEqual([
      [good, 'parquet', 2, 0],
      [truncated, 'parquet', 0, 1],
      [text, 'vpc-text', 1, 0],
    ]);
    const [bad] = summary.badLineExamples;
    expect(bad).toMatchObject({ file: truncated, line: 1 });
    expect(bad?.reason).toMatch(/^cannot read this Parquet file \(.*magic bytes.*\): truncated or corrupt\?/);
    expect(await table('SELECT count(*)::INTEGER AS n FROM flows')).toEqual([{ n: 3 }]);
  });

  it('keeps control characters that DuckDB quotes from a corrupt footer out of the reason', async () => {
    // a one-byte footer DuckDB cannot parse: it names the byte raw ("don't know what type: \r")
    const path = join(dir, 'corrupt.parquet');
    writeFileSync(path, Buffer.from([...Buffer.from('PAR1'), 0x0d, 1, 0, 0, 0, ...Buffer.from('PAR1')]));
    const summary = await ingest(store, [path]);

    expect(summary.badLines).toBe(1);
    const [bad] = summary.badLineExamples;
    expect(bad?.reason).toMatch(/^cannot read this Parquet file \(.+\): truncated or corrupt\?/);
    expect(bad?.reason).not.toMatch(/\p{Cc}/u);
  });

  it('reports a Parquet file without flow log columns as one bad line', async () => {
    const path = await writeParquet('other.parquet', { name: 'VARCHAR', size: 'BIGINT' }, [['a', 1]]);
    const summary = await ingest(store, [path]);

    expect(summary.records).toBe(0);
    expect(summary.badLineExamples).toEqual([
      {
        file: path,
        line: 1,
        reason: expect.stringContaining('no VPC flow log columns in this Parquet file (it has: name, size)'),
        excerpt: '',
      },
    ]);
  });
});

describe('loadParquet in batches', () => {
  it('keeps the batches before a damaged row group and reports the first record it could not read', async () => {
    const path = join(dir, 'row-groups.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (
        SELECT 2::INTEGER AS version, '123456789010' AS account_id, 'eni-' || md5(i::VARCHAR) AS interface_id,
          '10.0.' || (i // 256) || '.' || (i % 256) AS srcaddr, '172.31.16.21' AS dstaddr,
          (1024 + i)::INTEGER AS srcport, 443::INTEGER AS dstport, 6::INTEGER AS protocol, 10::BIGINT AS packets,
          (1000 + i)::BIGINT AS bytes, (1418530010 + i)::BIGINT AS start, (1418530070 + i)::BIGINT AS "end",
          'ACCEPT' AS action, 'OK' AS log_status
        FROM range(3000) AS t(i)
      ) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
    const chunks = await connection.runAndReadAll(
      `SELECT row_group_id, data_page_offset, total_compressed_size FROM parquet_metadata('${path}')
       WHERE path_in_schema = 'interface_id' ORDER BY row_group_id`,
    );
    connection.closeSync();
    instance.closeSync();
    const groups = chunks.getRowObjectsJS() as { data_page_offset: bigint; total_compressed_size: bigint }[];
    expect(groups.length).toBeGreaterThan(1);
    const last = groups[groups.length - 1] as (typeof groups)[number];
    const bytes = readFileSync(path);
    const at = Number(last.data_page_offset) + 20;
    bytes.fill(0xff, at, at + Math.min(200, Number(last.total_compressed_size) - 40));
    writeFileSync(path, bytes);

    const bad: [number, string][] = [];
    const warnings: string[] = [];
    const loaded = await loadParquet(
      store,
      7,
      path,
      { badLine: (line, reason) => bad.push([line, reason]), warn: (message) => warnings.push(message) },
      1000,
    );

    const flows = (loaded.counts.get(7)?.flow ?? 0) as number;
    expect(flows % 1000).toBe(0);
    expect(flows).toBeGreaterThan(0);
    expect(flows).toBeLessThan(3000);
    expect(bad).toEqual([[flows + 1, expect.stringMatching(/^cannot read this Parquet file \(/)]]);
    expect(warnings).toEqual([]);
    expect(await table('SELECT count(*)::INTEGER AS n, max(line)::INTEGER AS last FROM flows')).toEqual([
      { n: flows, last: flows },
    ]);
  });

  it('keeps the first 200 bad lines of a file as examples however many batches it is read in', async () => {
    const path = join(dir, 'bad-values.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // every row's source address is no address: 1,200 bad rows read in three batches
    await connection.run(`COPY (
        SELECT 2::INTEGER AS version, '123456789010' AS account_id, 'eni-1' AS interface_id,
          'not-an-address' AS srcaddr, '172.31.16.21' AS dstaddr, 1024::INTEGER AS srcport, 443::INTEGER AS dstport,
          6::INTEGER AS protocol, 10::BIGINT AS packets, 1000::BIGINT AS bytes, (1418530010 + i)::BIGINT AS start,
          (1418530070 + i)::BIGINT AS "end", 'ACCEPT' AS action, 'OK' AS log_status
        FROM range(1200) AS t(i)
      ) TO '${path}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const loaded = await loadParquet(
      store,
      9,
      path,
      { badLine: () => undefined, warn: () => undefined },
      500,
    );
    expect(loaded.counts.get(9)?.bad).toBe(1200);
    expect(await table('SELECT count(*)::INTEGER AS n, max(line)::INTEGER AS last FROM bad_lines')).toEqual([
      { n: 200, last: 200 },
    ]);
  });
});
