import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { countLines } from '../src/readers/lineChunks.js';
import { BIFLOW_COLUMNS as COLUMNS, biflowRow as row } from './helpers/biflowRow.js';
import { ingestInMemory } from './helpers/ingestInMemory.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'zeek');
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-zeek-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = '10.0.0.5';
const WEB = '198.51.100.7';
const SCANNER = '203.0.113.9';

/** What the records of conn-labeled.log (lines 9-16) become. */
const LABELED_FLOWS = [
  // both directions, with the originator's and the responder's own counts and flags
  row(9, [A, 51515], [WEB, 443], 6, 14, 1016, 1700000000.123456, 1700000001.623456, 2 | 1),
  row(9, [WEB, 443], [A, 51515], 6, 16, 1226, 1700000000.123456, 1700000001.623456, 18 | 1),
  // an unanswered SYN: no reverse row
  row(10, [SCANNER, 46563], [A, 3389], 6, 2, 80, 1700000001.000001, 1700000001.000011, 2),
  row(11, [SCANNER, 46564], [A, 23], 6, 1, 44, 1700000002.5, 1700000002.50012, 2),
  row(11, [A, 23], [SCANNER, 46564], 6, 1, 40, 1700000002.5, 1700000002.50012, 4),
  // UDP: no flags at all
  row(12, [A, 53530], ['10.0.0.2', 53], 17, 1, 82, 1700000003, 1700000003.000642, null),
  row(12, ['10.0.0.2', 53], [A, 53530], 17, 1, 197, 1700000003, 1700000003.000642, null),
  // ICMP: the originator's "port" is the type, the responder's the code, swapped in the reply like ports
  row(13, [A, 8], [WEB, 0], 1, 2, 168, 1700000004.25, 1700000004.5, null),
  row(13, [WEB, 0], [A, 8], 1, 2, 168, 1700000004.25, 1700000004.5, null),
  // Zeek says "icmp" for ICMPv6 too; unset duration: end = start
  row(14, ['fe80::1', 135], ['ff02::1:ff00:1', 136], 58, 1, 72, 1700000005, 1700000005, null),
  // only the responder sent (a SYN-ACK): only the reverse row
  row(15, ['198.51.100.9', 80], [A, 40000], 6, 1, 44, 1700000006, 1700000006, 18),
  // unknown_transport: some IP protocol Zeek does not name
  row(16, [A, 0], ['192.0.2.1', 0], null, 4, 400, 1700000007, 1700000010, null),
];

/** Rows in a stable order: by line, then source (a line's two rows come in either order). */
function sorted<T extends object>(rows: T[]): T[] {
  const key = (r: T) => {
    const { line, src_addr } = r as { line: number; src_addr: string };
    return `${String(line).padStart(8, '0')} ${src_addr}`;
  };
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const LABEL_WORDS = /Benign|Malicious|Background|Microsoft|External-Attack|Backscatter|HeartBeat|Ping/;

async function ingestFile(path: string) {
  const db = await ingestInMemory([path]);
  const flows = sorted(await db.rows(`SELECT ${COLUMNS} FROM flows`));
  const everything = await db.rows('SELECT * FROM flows');
  const bad = await db.rows('SELECT line, reason, excerpt FROM bad_lines ORDER BY line');
  const lines = await db.rows('SELECT count(DISTINCT line) AS n FROM flows');
  db.store.close();
  return { summary: db.summary, flows, everything, bad, flowLines: lines[0]?.n as number };
}

/** Every stored value, flows and bad-line excerpts alike, as one text to search for ground truth. */
const stored = (result: Awaited<ReturnType<typeof ingestFile>>) =>
  JSON.stringify([result.everything, result.bad]);

describe('Zeek conn.log TSV', () => {
  const path = join(fixtures, 'conn-labeled.log');

  it('maps each connection to one row per direction that sent, value by value', async () => {
    const result = await ingestFile(path);
    expect(result.flows).toEqual(sorted(LABELED_FLOWS));
    expect(result.summary.perFile[0]?.format).toBe('zeek-conn');
  });

  it('reports bad records at their line, without their label columns, and accounts for every line', async () => {
    const result = await ingestFile(path);
    expect(result.bad).toEqual([
      {
        line: 17,
        reason: 'id.orig_h "not-an-ip" is not an IPv4 or IPv6 address',
        excerpt: expect.stringMatching(/^1700000008 C9 not-an-ip 1 10\.0\.0\.6 2 tcp .* \(empty\)$/),
      },
      { line: 18, reason: '4 fields where #fields names 23', excerpt: '1700000009 C10' },
    ]);
    const content = readFileSync(path);
    expect(result.summary.headers).toBe(9);
    expect(result.flowLines + result.summary.headers + result.summary.badLines).toBe(countLines(content));
  });

  it('never stores a label, and says it dropped them', async () => {
    const result = await ingestFile(path);
    expect(stored(result)).not.toMatch(LABEL_WORDS);
    expect(result.summary.warnings).toEqual([
      `${path}: label column(s) label, detailedlabel dropped: ground truth is never stored`,
    ]);
    expect(result.summary.fieldsMissing.map((m) => m.field)).toContain('action');
  });

  it('reads the same flows from a gzip file', async () => {
    const gz = join(dir, 'conn.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(path)));
    const plain = await ingestFile(path);
    const zipped = await ingestFile(gz);
    expect(zipped.flows).toEqual(plain.flows);
    expect(zipped.bad).toEqual(plain.bad);
  });

  it('reads label columns appended with spaces instead of tabs, a label with spaces included', async () => {
    const result = await ingestFile(join(fixtures, 'conn-space-labels.log'));
    expect(result.bad).toEqual([]);
    expect(result.flows.map((r) => [r.line, r.src_addr, r.packets])).toEqual([
      [9, A, 14],
      [9, WEB, 16],
      [10, SCANNER, 2],
    ]);
    expect(stored(result)).not.toMatch(LABEL_WORDS);
  });

  it('starts over at a second header block (concatenated logs) and refuses records of other Zeek logs', async () => {
    const conn = readFileSync(path, 'utf8').split('\n');
    const header = conn.slice(0, 8);
    const record = conn[8] as string;
    const dns = header.map((line) => (line === '#path\tconn' ? '#path\tdns' : line));
    const text = [...header, record, ...dns, record, ...header, record, ''].join('\n');
    const file = join(dir, 'concatenated.log');
    writeFileSync(file, text);
    const read = await ingestFile(file);
    expect(read.flows.map((r) => r.line)).toEqual([9, 9, 27, 27]);
    expect(read.bad).toEqual([
      {
        line: 18,
        reason: 'record of a Zeek "dns" log: only conn.log records are flows',
        excerpt: expect.any(String),
      },
    ]);
    expect(read.summary.headers).toBe(24);
  });
});

describe('Zeek conn.log JSON', () => {
  const path = join(fixtures, 'conn-json.log');

  it('maps NDJSON records like TSV ones: epoch or ISO times, flat or nested id', async () => {
    const result = await ingestFile(path);
    expect(result.summary.perFile[0]?.format).toBe('zeek-conn');
    const onLine = (index: number, line: number) => ({ ...(LABELED_FLOWS[index] as object), line });
    expect(result.flows).toEqual(
      sorted([onLine(0, 1), onLine(1, 1), onLine(2, 2), onLine(7, 3), onLine(8, 3)]),
    );
  });

  it('reports broken lines at their line and stores no label, not even in excerpts', async () => {
    const result = await ingestFile(path);
    expect(result.bad.map((b) => [b.line, b.reason])).toEqual([
      [4, 'empty line'],
      [5, expect.stringMatching(/^JSON line does not parse: /)],
      [6, 'orig_pkts "lots" is not an integer 0-9007199254740991'],
    ]);
    expect(stored(result)).not.toMatch(LABEL_WORDS);
    expect(stored(result)).toMatch(/not-an-ip|10\.0\.0\.6/);
    const content = readFileSync(path);
    expect(result.flowLines + result.summary.headers + result.summary.badLines).toBe(countLines(content));
  });
});
