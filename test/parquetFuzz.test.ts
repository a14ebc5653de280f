import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParquet } from '../src/ingest/parquetLoader.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { action, address, epoch, port, protocol } from './helpers/flowArbitraries.js';

/**
 * Property tests over the Parquet loader (src/ingest/parquetLoader.ts): files DuckDB writes with AWS's
 * Parquet columns and random rows, intact or damaged. An intact file accounts for every row as a flow,
 * a log-health fact or a bad line at its record index; a damaged one never crashes the run, and either
 * loads every row or says it could not, keeping exactly the rows before the point of failure.
 */

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-pqfuzz-'));
let writer: DuckDBInstance;
let writing: DuckDBConnection;
let store: DuckdbStore;
let serial = 0;

beforeAll(async () => {
  writer = await DuckDBInstance.create(':memory:');
  writing = await writer.connect();
  store = await DuckdbStore.open();
});

afterAll(() => {
  writing.closeSync();
  writer.closeSync();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// AWS's Parquet delivery: the text fields with '_' for '-', INT_32/INT_64 numbers, strings, NULL for '-'

type Value = string | number | null;
type SqlType = 'INTEGER' | 'BIGINT' | 'VARCHAR';

interface Column {
  name: string;
  type: SqlType;
  /** the value in a flow record */
  value: fc.Arbitrary<Value>;
}

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const orNull = (arbitrary: fc.Arbitrary<Value>) =>
  fc.oneof({ arbitrary, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 });

/** version … log_status: every AWS Parquet file has the default format's fields at least */
const V2: Column[] = [
  { name: 'version', type: 'INTEGER', value: fc.integer({ min: 2, max: 5 }) },
  { name: 'account_id', type: 'VARCHAR', value: fc.constantFrom('123456789012', '210987654321') },
  { name: 'interface_id', type: 'VARCHAR', value: hex(17).map((h) => `eni-${h}`) },
  { name: 'srcaddr', type: 'VARCHAR', value: address },
  { name: 'dstaddr', type: 'VARCHAR', value: address },
  { name: 'srcport', type: 'INTEGER', value: port },
  { name: 'dstport', type: 'INTEGER', value: port },
  { name: 'protocol', type: 'INTEGER', value: protocol },
  { name: 'packets', type: 'BIGINT', value: fc.integer({ min: 1, max: 1e6 }) },
  { name: 'bytes', type: 'BIGINT', value: fc.integer({ min: 1, max: 1e12 }) },
  { name: 'start', type: 'BIGINT', value: epoch },
  { name: 'end', type: 'BIGINT', value: epoch.map((t) => t + 60) },
  { name: 'action', type: 'VARCHAR', value: action },
  { name: 'log_status', type: 'VARCHAR', value: fc.constant('OK') },
];
/** fields of the later versions a custom format may add */
const EXTRA: Column[] = [
  { name: 'vpc_id', type: 'VARCHAR', value: hex(17).map((h) => `vpc-${h}`) },
  { name: 'subnet_id', type: 'VARCHAR', value: hex(17).map((h) => `subnet-${h}`) },
  { name: 'instance_id', type: 'VARCHAR', value: orNull(hex(17).map((h) => `i-${h}`)) },
  { name: 'tcp_flags', type: 'INTEGER', value: fc.integer({ min: 0, max: 255 }) },
  { name: 'type', type: 'VARCHAR', value: fc.constantFrom('IPv4', 'IPv6') },
  { name: 'pkt_srcaddr', type: 'VARCHAR', value: address },
  { name: 'pkt_dstaddr', type: 'VARCHAR', value: address },
  { name: 'region', type: 'VARCHAR', value: fc.constantFrom('us-east-1', 'eu-west-2', 'ap-southeast-2') },
  { name: 'az_id', type: 'VARCHAR', value: fc.constantFrom('use1-az1', 'euw2-az2') },
  { name: 'pkt_src_aws_service', type: 'VARCHAR', value: orNull(fc.constantFrom('S3', 'EC2')) },
  { name: 'flow_direction', type: 'VARCHAR', value: fc.constantFrom('ingress', 'egress') },
  { name: 'traffic_path', type: 'INTEGER', value: orNull(fc.integer({ min: 1, max: 8 })) },
  { name: 'reject_reason', type: 'VARCHAR', value: orNull(fc.constant('BPA')) },
];
/** a column flowhawk does not know: skipped with a warning */
const UNKNOWN: Column = { name: 'shard_hint', type: 'VARCHAR', value: hex(4) };

/** values a field cannot hold: each makes its record a bad line */
const BREAKAGE: Record<string, Value[]> = {
  version: [300],
  srcaddr: ['not-an-ip', '10.0.0.256'],
  dstaddr: ['2001:db8::g'],
  srcport: [70000],
  dstport: [-1],
  protocol: [256],
  action: ['MAYBE'],
  log_status: ['FINE'],
};

type Kind = 'flow' | 'NODATA' | 'SKIPDATA' | 'bad';
interface Row {
  kind: Kind;
  values: Value[];
}

/** Columns in a random order; the value of each in the row kinds a file holds. */
const columns = fc.tuple(fc.subarray(EXTRA), fc.boolean()).chain(([extra, unknown]) => {
  const all = [...V2, ...extra, ...(unknown ? [UNKNOWN] : [])];
  return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
});

function rowOf(cols: readonly Column[]): fc.Arbitrary<Row> {
  const flow = fc.tuple(...cols.map((c) => c.value)).map((values): Row => ({ kind: 'flow', values }));
  // NODATA/SKIPDATA as AWS writes them: NULL where the text format has '-'; some writers keep '-' or ''
  const health = fc
    .tuple(
      fc.constantFrom<Kind>('NODATA', 'SKIPDATA'),
      fc.tuple(
        ...cols.map((c) => (c.type === 'VARCHAR' ? fc.constantFrom(null, '-', '') : fc.constant(null))),
      ),
      fc.tuple(...cols.map((c) => c.value)),
    )
    .map(([kind, missing, present]): Row => {
      const keep = ['version', 'account_id', 'interface_id', 'start', 'end', 'shard_hint'];
      const values = cols.map((c, i) =>
        c.name === 'log_status'
          ? kind
          : keep.includes(c.name)
            ? (present[i] as Value)
            : (missing[i] as Value),
      );
      return { kind, values };
    });
  const broken = cols.filter((c) => c.name in BREAKAGE);
  const bad = fc.tuple(flow, fc.nat(), fc.nat()).map(([row, which, pick]): Row => {
    const column = broken[which % broken.length] as Column;
    const choices = BREAKAGE[column.name] as Value[];
    const values = [...row.values];
    values[cols.indexOf(column)] = choices[pick % choices.length] as Value;
    return { kind: 'bad', values };
  });
  return fc.oneof(
    { arbitrary: flow, weight: 6 },
    { arbitrary: health, weight: 1 },
    { arbitrary: bad, weight: 1 },
  );
}

const parquetFile = columns.chain((cols) =>
  fc.record({
    cols: fc.constant(cols),
    rows: fc.array(rowOf(cols), { maxLength: 40 }),
    compression: fc.constantFrom('uncompressed', 'snappy', 'zstd', 'gzip'),
  }),
);
type ParquetFile = typeof parquetFile extends fc.Arbitrary<infer T> ? T : never;

const literal = (value: Value, type: SqlType) =>
  value === null
    ? `NULL::${type}`
    : typeof value === 'number'
      ? `${value}::${type}`
      : `'${value.replaceAll("'", "''")}'::${type}`;

/** Writes the rows to a Parquet file with DuckDB, as AWS's delivery would type them. */
async function writeParquet(f: ParquetFile): Promise<string> {
  const path = join(dir, `p${serial++}.parquet`);
  const names = f.cols.map((c) => `"${c.name}"`).join(', ');
  const rows = f.rows.length > 0 ? f.rows : [{ values: f.cols.map(() => null) }];
  const values = rows.map(
    (r) => `(${r.values.map((v, i) => literal(v, (f.cols[i] as Column).type)).join(', ')})`,
  );
  const where = f.rows.length > 0 ? '' : 'WHERE false';
  await writing.run(
    `COPY (SELECT * FROM (VALUES ${values.join(', ')}) AS t(${names}) ${where})
     TO '${path}' (FORMAT parquet, COMPRESSION ${f.compression})`,
  );
  return path;
}

// ---------------------------------------------------------------------------------------------------

/** Loads a file as ingest would, recording what the loader reports and what the store took in. */
async function load(path: string, batchRows?: number) {
  const fileId = 1000 + serial++;
  const bad: { line: number; reason: string }[] = [];
  const warnings: string[] = [];
  const report = {
    badLine: (line: number, reason: string) => bad.push({ line, reason }),
    warn: (w: string) => warnings.push(w),
  };
  const loaded = await loadParquet(store, fileId, path, report, batchRows);
  const kinds = loaded.counts.get(fileId) ?? {};
  const lines = async (table: string) =>
    (
      await store.query<{ line: bigint }>(`SELECT line FROM ${table} WHERE file_id = ${fileId} ORDER BY line`)
    ).map((r) => Number(r.line));
  const stored = {
    flow: await lines('flows'),
    health: await lines('log_health'),
    bad: await lines('bad_lines'),
  };
  const total = Object.values(kinds).reduce((sum, n) => sum + n, 0);
  return { bad, warnings, kinds, stored, total };
}

const indexes = (rows: readonly Row[], pick: (kind: Kind) => boolean) =>
  rows.flatMap((row, index) => (pick(row.kind) ? [index + 1] : []));

/** The one reason for a file DuckDB cannot read, free of the raw bytes DuckDB may quote from it. */
const UNREADABLE =
  /^cannot read this Parquet file \(\P{Cc}+\): truncated or corrupt\? Download or copy it again$/u;

/** A batch size that splits the file into a few loads, or the loader's default. */
const batchRows = fc.option(fc.integer({ min: 8, max: 30 }), { nil: undefined });

/** Byte flips: where (modulo the file's size) and with which bits. */
const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 });

/**
 * Flips bytes of a file of `rows` records and loads it: either every record is accounted for (damaged
 * values as bad lines, a renamed column warned about), or one report says where reading stopped and
 * exactly the records before that point are in.
 */
async function expectWholeOrPrefix(
  intact: Buffer,
  at: readonly [number, number][],
  rows: number,
  batch: number | undefined,
) {
  const bytes = Buffer.from(intact);
  for (const [where, mask] of at)
    bytes[where % bytes.length] = (bytes[where % bytes.length] as number) ^ mask;
  const path = join(dir, `x${serial++}.parquet`);
  writeFileSync(path, bytes);
  const got = await load(path, batch);

  if (got.bad.length === 0) {
    expect(got.total).toBe(rows);
  } else {
    expect(got.bad).toEqual([{ line: expect.any(Number), reason: expect.stringMatching(UNREADABLE) }]);
    expect(got.total).toBe((got.bad[0]?.line ?? 0) - 1);
  }
  // every row up to `total` is stored once as a flow or health record, or counted bad (damaged values
  // read without an error make bad rows); bad lines are kept as examples only, the first 200 per batch
  const kept = [...got.stored.flow, ...got.stored.health];
  const lines = [...kept, ...got.stored.bad];
  expect(new Set(lines).size).toBe(lines.length);
  expect(lines.every((line) => line >= 1 && line <= got.total)).toBe(true);
  expect(kept.length + (got.kinds.bad ?? 0)).toBe(got.total);
}

describe('Parquet loader properties', () => {
  it('accounts for every row of an intact file at its record index', async () => {
    await fc.assert(
      fc.asyncProperty(parquetFile, batchRows, async (f, batch) => {
        const got = await load(await writeParquet(f), batch);

        expect(got.bad).toEqual([]);
        expect(got.warnings).toEqual(
          f.cols.includes(UNKNOWN) ? [expect.stringContaining('shard_hint skipped')] : [],
        );
        const expected: Record<string, number> = {};
        for (const row of f.rows) expected[row.kind] = (expected[row.kind] ?? 0) + 1;
        expect(got.kinds).toEqual(expected);
        expect(got.stored).toEqual({
          flow: indexes(f.rows, (k) => k === 'flow'),
          health: indexes(f.rows, (k) => k === 'NODATA' || k === 'SKIPDATA'),
          bad: indexes(f.rows, (k) => k === 'bad'),
        });
      }),
      { numRuns: 8 },
    );
  });

  it('reports a truncated file, or random bytes between Parquet magic, as a bad line without crashing', async () => {
    await fc.assert(
      fc.asyncProperty(
        parquetFile,
        fc.nat(),
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat(),
        fc.boolean(),
        async (f, at, random, footer, truncate) => {
          let bytes: Buffer;
          if (truncate) {
            const whole = readFileSync(await writeParquet(f));
            bytes = whole.subarray(0, at % whole.length);
          } else {
            // a footer length that fits in the file sends DuckDB into parsing random bytes as metadata
            const length = Buffer.alloc(4);
            length.writeUInt32LE(footer % (random.length + 1));
            bytes = Buffer.concat([Buffer.from('PAR1'), random, length, Buffer.from('PAR1')]);
          }
          const path = join(dir, `d${serial++}.parquet`);
          writeFileSync(path, bytes);
          const got = await load(path);

          expect(got.bad).toEqual([{ line: 1, reason: expect.stringMatching(UNREADABLE) }]);
          expect(got.total).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('loads a file with flipped bytes whole, or says where it stopped and keeps every row before', async () => {
    await fc.assert(
      fc.asyncProperty(
        parquetFile.filter((f) => f.rows.length > 0),
        flips,
        batchRows,
        async (f, at, batch) => {
          await expectWholeOrPrefix(readFileSync(await writeParquet(f)), at, f.rows.length, batch);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('keeps the row groups before a flipped byte of a larger file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4200, max: 6000 }),
        fc.constantFrom('uncompressed', 'snappy', 'zstd'),
        flips,
        fc.constantFrom(1500, 2048, 2500),
        async (rows, compression, at, batch) => {
          const path = join(dir, `big${serial++}.parquet`);
          // row groups of 2048 rows (DuckDB's smallest), so that the damage is often in a later one
          await writing.run(`COPY (
              SELECT 2::INTEGER AS version, '123456789012' AS account_id, 'eni-' || md5(i::VARCHAR)[:17] AS interface_id,
                '10.' || (i // 65536) || '.' || (i // 256 % 256) || '.' || (i % 256) AS srcaddr, '172.31.16.21' AS dstaddr,
                (i % 65536)::INTEGER AS srcport, 443::INTEGER AS dstport, 6::INTEGER AS protocol, 10::BIGINT AS packets,
                (1000 + i)::BIGINT AS bytes, (1418530010 + i)::BIGINT AS start, (1418530070 + i)::BIGINT AS "end",
                'ACCEPT' AS action, 'OK' AS log_status
              FROM range(${rows}) AS t(i)
            ) TO '${path}' (FORMAT parquet, COMPRESSION ${compression}, ROW_GROUP_SIZE 2048)`);
          await expectWholeOrPrefix(readFileSync(path), at, rows, batch);
        },
      ),
      { numRuns: 4 },
    );
  });
});
