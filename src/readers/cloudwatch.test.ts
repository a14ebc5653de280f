import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingest } from '../ingest/ingest.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { layoutFromNames } from './vpcText.js';

// Records transcribed from ../shared/data/formats/aws-doc-examples/default-v2_*.log
const ACCEPTED =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECTED =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const IPV6 =
  '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK';
const NODATA = '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
const ICMP_IN =
  '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK';
const ICMP_OUT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK';
/** one field short: the event a broken custom format or a hand edit leaves */
const SHORT = ACCEPTED.replace(' OK', '');

let dir: string;
let store: DuckdbStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowhawk-cloudwatch-'));
  store = await DuckdbStore.open();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A CloudWatch Logs subscription payload, as a subscription filter delivers it. */
function payload(messages: readonly string[]) {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789010',
    logGroup: '/vpc/flow-logs',
    logStream: 'eni-1235b8ca123456789-all',
    subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, index) => ({
      id: `3619585024845046862893489235478909573289452${index}`,
      timestamp: 1620000000000 + index,
      message,
    })),
  };
}

const CONTROL = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [
    {
      id: '',
      timestamp: 1620000000000,
      message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.',
    },
  ],
};

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function flows() {
  return store.query<{ line: bigint; src_addr: string; action: string }>(
    'SELECT line, src_addr, action FROM flows ORDER BY file_id, line',
  );
}

async function badLines() {
  return store.query<{ line: bigint; reason: string; excerpt: string }>(
    'SELECT line, reason, excerpt FROM bad_lines ORDER BY file_id, line',
  );
}

const lines = (rows: { line: bigint }[]) => rows.map((row) => Number(row.line));

describe('CloudWatch Logs subscription payloads', () => {
  it('reads a payload saved as JSON: events numbered 1..N, NODATA as log health', async () => {
    const path = file('payload.json', JSON.stringify(payload([ACCEPTED, REJECTED, NODATA, IPV6]), null, 2));
    const summary = await ingest(store, [path]);

    expect(summary.perFile).toEqual([
      { path, format: 'json', records: 3, badLines: 0, nodata: 1, skipdata: 0 },
    ]);
    expect(await flows()).toEqual([
      { line: 1n, src_addr: '172.31.16.139', action: 'ACCEPT' },
      { line: 2n, src_addr: '172.31.9.69', action: 'REJECT' },
      { line: 4n, src_addr: '2001:db8:1234:a100:8d6e:3477:df66:f105', action: 'ACCEPT' },
    ]);
    expect(await store.query('SELECT line, status FROM log_health')).toEqual([
      { line: 3n, status: 'NODATA' },
    ]);
    expect(summary.accounts).toEqual(['123456789010']);
    expect(summary.fieldsPresent).toContain('log-status');
  });

  it('reads the Lambda event wrapper (base64 of gzip of the payload)', async () => {
    const data = gzipSync(JSON.stringify(payload([ICMP_IN, ICMP_OUT]))).toString('base64');
    const path = file('lambda-event.json', JSON.stringify({ awslogs: { data } }));
    const summary = await ingest(store, [path]);

    expect(summary.records).toBe(2);
    expect(summary.badLines).toBe(0);
    expect(await flows()).toEqual([
      { line: 1n, src_addr: '203.0.113.12', action: 'ACCEPT' },
      { line: 2n, src_addr: '172.31.16.139', action: 'REJECT' },
    ]);
  });

  it('reads a gzip Firehose delivery of concatenated payloads, counting a CONTROL_MESSAGE as a header', async () => {
    const body = [CONTROL, payload([ACCEPTED, REJECTED]), payload([SHORT, IPV6, NODATA])]
      .map((value) => JSON.stringify(value))
      .join('');
    const path = file('firehose-delivery.gz', gzipSync(body));
    const summary = await ingest(store, [path]);

    expect(summary.perFile).toEqual([
      { path, format: 'json', records: 3, badLines: 1, nodata: 1, skipdata: 0 },
    ]);
    expect(summary.headers).toBe(1);
    expect(lines(await flows())).toEqual([1, 2, 4]);
    expect(await badLines()).toEqual([
      { line: 3n, reason: '13 fields where the format has 14', excerpt: SHORT },
    ]);
    expect(await store.query('SELECT line FROM log_health')).toEqual([{ line: 5n }]);
  });

  it('reads payloads gzip-compressed one by one and concatenated, as Firehose stores them untouched', async () => {
    const members = [payload([ACCEPTED]), payload([REJECTED, IPV6])].map((p) => gzipSync(JSON.stringify(p)));
    const path = file('firehose-members', Buffer.concat(members));
    const summary = await ingest(store, [path]);

    expect(summary.records).toBe(3);
    expect(lines(await flows())).toEqual([1, 2, 3]);
  });

  it('reads payloads one per line, numbering the events on across the lines', async () => {
    const body = `${JSON.stringify(payload([ACCEPTED, REJECTED]))}\n${JSON.stringify(payload([IPV6]))}\n`;
    const summary = await ingest(store, [file('payloads.ndjson', body)]);

    expect(summary.records).toBe(3);
    expect(lines(await flows())).toEqual([1, 2, 3]);
  });

  it('reports a payload that does not parse, with its position, and reads the payloads after it', async () => {
    const good = JSON.stringify(payload([ACCEPTED]));
    const broken = JSON.stringify(payload([REJECTED])).replace(',"logGroup"', ' "logGroup"');
    const body = [good, broken, JSON.stringify(payload([IPV6]))].join('\n');
    const summary = await ingest(store, [file('payloads.ndjson', body)]);

    expect(summary.records).toBe(2);
    expect(summary.badLines).toBe(1);
    const [bad] = await badLines();
    expect(bad?.line).toBe(2n);
    expect(bad?.reason).toMatch(
      /^JSON does not parse: .* at line 2, column \d+ \(value starts at line 2, column 1\)$/,
    );
    expect(bad?.excerpt).toMatch(/^\{"messageType":"DATA_MESSAGE"/);
    expect(lines(await flows())).toEqual([1, 3]);
  });

  it('reads saved get-log-events output ({"events": [...]})', async () => {
    const events = [ACCEPTED, REJECTED].map((message, index) => ({
      timestamp: index,
      message,
      ingestionTime: 1,
    }));
    const body = JSON.stringify({ events, nextForwardToken: 'f/1', nextBackwardToken: 'b/1' });
    const summary = await ingest(store, [file('get-log-events.json', body)]);

    expect(summary.records).toBe(2);
    expect(lines(await flows())).toEqual([1, 2]);
  });

  it('reports an event without a message and a JSON object that is no payload', async () => {
    const odd = payload([ACCEPTED]);
    (odd.logEvents as unknown[]).push({ id: '1', timestamp: 1 });
    const body = `${JSON.stringify(odd)}\n{"hello":"world"}\n`;
    const summary = await ingest(store, [file('odd.json', body)]);

    expect(summary.records).toBe(1);
    expect((await badLines()).map((b) => [Number(b.line), b.reason])).toEqual([
      [2, 'log event without a "message" string'],
      [
        3,
        'JSON value is no CloudWatch Logs payload or Firehose record (no "logEvents", "message" or "awslogs.data"; at line 2, column 1)',
      ],
    ]);
  });
});

describe('Firehose records', () => {
  it('reads NDJSON {"message"} records at their line, going on past broken lines', async () => {
    const body = [
      JSON.stringify({ message: ACCEPTED }),
      '',
      JSON.stringify({ message: SHORT }),
      JSON.stringify({ message: REJECTED }).slice(0, 60), // cut short inside the string
      JSON.stringify({ message: IPV6 }),
      JSON.stringify({ message: `${ICMP_IN}\n` }),
    ].join('\n');
    const summary = await ingest(store, [file('firehose.ndjson', body)]);

    expect(summary.perFile).toEqual([expect.objectContaining({ format: 'json', records: 3, badLines: 2 })]);
    expect(lines(await flows())).toEqual([1, 5, 6]);
    expect((await badLines()).map((b) => [Number(b.line), b.reason])).toEqual([
      [3, '13 fields where the format has 14'],
      [4, 'JSON value cut short: line break inside a string (line 4, column 1)'],
    ]);
  });

  it('recovers the lines after a first line that lacks its closing brace', async () => {
    const body = [
      JSON.stringify({ message: ACCEPTED }).slice(0, -1),
      JSON.stringify({ message: REJECTED }),
      JSON.stringify({ message: IPV6 }),
    ].join('\n');
    const summary = await ingest(store, [file('firehose.ndjson', body)]);

    expect(summary.records).toBe(2);
    expect(lines(await flows())).toEqual([2, 3]);
    expect((await badLines()).map((b) => [Number(b.line), b.reason])).toEqual([
      [1, 'JSON line does not parse (line 1)'],
    ]);
  });

  it('recovers the lines after a damaged line that opens an array it never closes', async () => {
    const body = [
      JSON.stringify({ message: ACCEPTED }),
      `[${JSON.stringify({ message: ICMP_IN })},{`, // cut short as its second element opens
      JSON.stringify({ message: REJECTED }),
      JSON.stringify({ message: IPV6 }),
    ].join('\n');
    const summary = await ingest(store, [file('firehose.ndjson', body)]);

    expect(summary.records).toBe(4);
    expect(lines(await flows())).toEqual([1, 2, 4, 5]);
    expect((await badLines()).map((b) => [Number(b.line), b.reason])).toEqual([
      [3, 'JSON line does not parse (line 2)'],
    ]);
  });

  it('reads a JSON array of records, numbering the elements 1..N', async () => {
    const records = [ACCEPTED, 'not a flow record', REJECTED].map((message) => ({ message }));
    const summary = await ingest(store, [file('records.json', JSON.stringify(records, null, 1))]);

    expect(summary.records).toBe(2);
    expect(lines(await flows())).toEqual([1, 3]);
    expect((await badLines()).map((b) => Number(b.line))).toEqual([2]);
  });

  it('switches the layout when a message is a header line', async () => {
    const body = ['version srcaddr dstaddr action log-status', '5 10.0.0.1 10.0.0.2 REJECT OK']
      .map((message) => JSON.stringify({ message }))
      .join('\n');
    const summary = await ingest(store, [file('custom.ndjson', body)]);

    expect(summary.headers).toBe(1);
    expect(summary.records).toBe(1);
    expect(await store.query('SELECT line, version, src_addr, action, account_id FROM flows')).toEqual([
      { line: 2n, version: 5, src_addr: '10.0.0.1', action: 'REJECT', account_id: null },
    ]);
  });

  it('reports an array that is never closed, and a file that is not JSON after its first line', async () => {
    const body = `[${JSON.stringify({ message: ACCEPTED })},\n`;
    const other = `${JSON.stringify({ message: REJECTED })}\nsomething else\n`;
    const summary = await ingest(store, [file('a.json', body), file('b.json', other)]);

    expect(summary.records).toBe(2);
    expect((await badLines()).map((b) => [Number(b.line), b.reason]).sort()).toEqual([
      [2, "JSON array not closed with ']' at the end of the input (line 1, column 1)"],
      [2, "not JSON (expected '{' or '[') (line 2, column 1)"],
    ]);
  });
});

describe('CloudWatch Logs exports', () => {
  it('strips the timestamps and keeps file line numbers', async () => {
    const body = [ACCEPTED, SHORT, REJECTED, NODATA]
      .map((message, index) => `2021-05-03T00:0${index}:00.000Z ${message}`)
      .join('\n');
    const path = file('000000.gz', gzipSync(`${body}\n`));
    const summary = await ingest(store, [path]);

    expect(summary.perFile).toEqual([
      { path, format: 'cloudwatch-export', records: 2, badLines: 1, nodata: 1, skipdata: 0 },
    ]);
    expect(lines(await flows())).toEqual([1, 3]);
    expect(await badLines()).toEqual([
      { line: 2n, reason: '13 fields where the format has 14', excerpt: SHORT },
    ]);
  });

  it('reads messages in the field order given with --fields', async () => {
    const layout = layoutFromNames(['version', 'interface-id', 'srcaddr', 'dstaddr', 'action', 'tcp-flags']);
    const path = file('custom.log', '2021-05-03T00:00:00Z 5 eni-1 10.0.0.1 10.0.0.2 REJECT 2\n');
    const summary = await ingest(store, [path], { layout });

    expect(summary.perFile[0]).toMatchObject({ format: 'cloudwatch-export', records: 1, badLines: 0 });
    expect(await store.query('SELECT line, src_addr, action, tcp_flags FROM flows')).toEqual([
      { line: 1n, src_addr: '10.0.0.1', action: 'REJECT', tcp_flags: 2 },
    ]);
  });

  it('reports a truncated gzip export after the lines it could read', async () => {
    const body = [ACCEPTED, REJECTED, IPV6]
      .map((message) => `2021-05-03T00:00:00.000Z ${message}`)
      .join('\n');
    const whole = gzipSync(`${body}\n`.repeat(200));
    const summary = await ingest(store, [file('cut.gz', whole.subarray(0, whole.length - 40))]);

    expect(summary.records).toBeGreaterThan(500);
    const bad = await badLines();
    // the line the cut went through is no record: one bad line, at that line, naming the cut
    expect(bad.map((b) => b.reason)).toEqual([expect.stringMatching(/^gzip stream truncated/)]);
    expect(lines(bad)).toEqual([summary.records + 1]);
  });
});
