import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStream } from '../src/ingest/byteSource.js';
import { readArgusBinetflow } from '../src/readers/argusBinetflow.js';
import { countLines } from '../src/readers/lineChunks.js';
import type { RecordSink } from '../src/readers/recordSink.js';
import { readZeekConn } from '../src/readers/zeekConn.js';
import { ingestInMemory } from './helpers/ingestInMemory.js';

/**
 * Property tests over the Zeek and Argus readers: whatever lines or bytes follow a valid header, the
 * readers do not crash, account for every line exactly once (record, header or bad line), emit only
 * rows the store's transform accepts, and never let a label value into the flows.
 */
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-biflow-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Label values carry this marker: it must never reach a flow row. */
const MARK = 'LBLMARK';

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const ipv6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
const addr = fc.oneof({ arbitrary: ipv4, weight: 4 }, { arbitrary: ipv6, weight: 1 });
const port = fc.integer({ min: 0, max: 65535 });
const seconds = fc
  .tuple(fc.integer({ min: 1_000_000_000, max: 1_900_000_000 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([whole, micros]) => `${whole}.${String(micros).padStart(6, '0')}`);
const duration = fc
  .tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([whole, micros]) => `${whole}.${String(micros).padStart(6, '0')}`);
const count = fc.integer({ min: 0, max: 1e9 });
const label = fc.constantFrom('Malicious', 'Benign', 'Background').map((l) => `${MARK}-${l}`);
const junk = fc.string({ unit: 'binary', maxLength: 12 });

// --- Zeek TSV -------------------------------------------------------------------------------------
const ZEEK_FIELDS =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents label detailedlabel'.split(
    ' ',
  );
const ZEEK_HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2023-11-14-22-13-20',
  `#fields\t${ZEEK_FIELDS.join('\t')}`,
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tstring\tstring',
];
const zeekConn = fc
  .record({
    ts: seconds,
    orig: addr,
    resp: addr,
    sport: port,
    dport: port,
    proto: fc.constantFrom('tcp', 'udp', 'icmp', 'unknown_transport'),
    duration: fc.oneof(duration, fc.constant('-')),
    history: fc.oneof(fc.stringMatching(/^[ShHADadFfRrCT^]{1,8}$/), fc.constant('-')),
    counts: fc.array(fc.oneof(count, fc.constant('-')), { minLength: 4, maxLength: 4 }),
    label,
    detail: label,
  })
  .map((r) => ({
    ...r,
    cells: [
      r.ts,
      'CabcdEF',
      r.orig,
      String(r.sport),
      r.resp,
      String(r.dport),
      r.proto,
      '-',
      r.duration,
      '0',
      '0',
      'SF',
      'T',
      'F',
      '0',
      r.history,
      ...r.counts.map(String),
      '(empty)',
      r.label,
      r.detail,
    ],
  }));
const zeekRecord = zeekConn.map((r) => r.cells.join('\t'));

// --- Zeek JSON ------------------------------------------------------------------------------------
const zeekJson = zeekConn.map((r) => {
  const [origPkts, origBytes, respPkts, respBytes] = r.counts;
  const object: Record<string, unknown> = {
    ts: Number(r.ts),
    uid: 'CabcdEF',
    'id.orig_h': r.orig,
    'id.orig_p': r.sport,
    'id.resp_h': r.resp,
    'id.resp_p': r.dport,
    proto: r.proto,
    duration: r.duration === '-' ? undefined : Number(r.duration),
    history: r.history === '-' ? undefined : r.history,
    orig_pkts: origPkts === '-' ? undefined : origPkts,
    orig_ip_bytes: origBytes === '-' ? undefined : origBytes,
    resp_pkts: respPkts === '-' ? undefined : respPkts,
    resp_ip_bytes: respBytes === '-' ? undefined : respBytes,
    label: r.label,
    detailedlabel: r.detail,
  };
  return JSON.stringify(object);
});

// --- Argus CSV ------------------------------------------------------------------------------------
const ARGUS_HEADER =
  'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label';
const two = (n: number) => String(n).padStart(2, '0');
const argusTime = fc
  .record({
    year: fc.integer({ min: 1971, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    micros: fc.integer({ min: 0, max: 999_999 }),
  })
  .map(
    (t) =>
      `${t.year}/${two(t.month)}/${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}.${String(t.micros).padStart(6, '0')}`,
  );
const argusPort = fc.oneof(
  port.map(String),
  port.map((p) => `0x${p.toString(16).padStart(4, '0')}`),
  fc.constant(''),
);
const argusRecord = fc
  .record({
    start: argusTime,
    duration,
    proto: fc.constantFrom('tcp', 'udp', 'icmp', 'ipv6-icmp', 'igmp', 'rtp', 'arp', 'rarp', 'llc'),
    src: addr,
    sport: argusPort,
    dir: fc.constantFrom('   ->', '  <->', '   <-', '  <?>', '  who'),
    dst: addr,
    dport: argusPort,
    state: fc.oneof(
      fc.stringMatching(/^[FSRPAEC]{0,4}_[FSRPAEC]{0,4}$/),
      fc.constantFrom('CON', 'INT', 'ECO', 'URP'),
    ),
    total: fc.integer({ min: 1, max: 1e6 }),
    bytes: fc.integer({ min: 0, max: 1e9 }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
    label,
  })
  .map((r) =>
    [
      r.start,
      r.duration,
      r.proto,
      r.src,
      r.sport,
      r.dir,
      r.dst,
      r.dport,
      r.state,
      '0',
      '',
      r.total,
      r.bytes,
      Math.floor(r.bytes * r.share),
      `flow=${r.label}`,
    ].join(','),
  );

/** A valid line damaged the ways real files get damaged; `separator` splits it into cells. */
function mutated(record: fc.Arbitrary<string>, separator: string) {
  return fc.tuple(record, fc.nat(), fc.integer({ min: 0, max: 5 }), junk).map(([line, at, how, noise]) => {
    const cells = line.split(separator);
    const i = at % cells.length;
    switch (how) {
      case 0:
        return cells.filter((_, k) => k !== i).join(separator);
      case 1:
        return [...cells.slice(0, i), noise, ...cells.slice(i)].join(separator);
      case 2:
        cells[i] = noise;
        return cells.join(separator);
      case 3:
        return line.slice(0, at % line.length);
      case 4:
        cells[i] = `${cells[i]}9999999`;
        return cells.join(separator);
      default:
        return noise;
    }
  });
}

function lines(record: fc.Arbitrary<string>, separator: string, headers: fc.Arbitrary<string>) {
  return fc.array(
    fc.oneof(
      { arbitrary: record, weight: 6 },
      { arbitrary: mutated(record, separator), weight: 4 },
      { arbitrary: headers, weight: 1 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 1 },
    ),
    { maxLength: 40 },
  );
}

const FORMATS = {
  'zeek-tsv': {
    header: ZEEK_HEADER,
    body: lines(zeekRecord, '\t', fc.constantFrom(...ZEEK_HEADER, '#close\t2023-11-14-23-00-00')),
  },
  'zeek-json': {
    header: [] as string[],
    body: lines(zeekJson, ',', fc.constant('')),
  },
  argus: { header: [ARGUS_HEADER], body: lines(argusRecord, ',', fc.constant(ARGUS_HEADER)) },
};
type FormatName = keyof typeof FORMATS;

const layout = fc.record({ crlf: fc.boolean(), finalNewline: fc.boolean(), gzip: fc.boolean() });

function render(header: string[], body: string[], shape: { crlf: boolean; finalNewline: boolean }): Buffer {
  // Zeek JSON is sniffed from its first line: keep one valid record there
  const all = [...header, ...body];
  const text = all.join(shape.crlf ? '\r\n' : '\n') + (shape.finalNewline && all.length > 0 ? '\n' : '');
  return Buffer.from(text, 'utf8');
}

/** What a reader told its sink, per line. */
interface Heard {
  rows: Map<number, string[][]>;
  headers: number[];
  bad: { line: number; excerpt: string }[];
}

async function hear(format: FormatName, content: Buffer): Promise<Heard> {
  const heard: Heard = { rows: new Map(), headers: [], bad: [] };
  const sink: RecordSink = {
    cleanChunk: async () => {
      throw new Error('these readers split every record themselves');
    },
    row: async (_layout, line, values) => {
      heard.rows.set(line, [...(heard.rows.get(line) ?? []), [...values]]);
    },
    badLine: (line, _reason, excerpt) => heard.bad.push({ line, excerpt }),
    header: (line) => heard.headers.push(line),
    warn: () => undefined,
  };
  const decoded = decodeStream(Readable.from([content]));
  if (format === 'argus') await readArgusBinetflow(decoded, sink);
  else await readZeekConn(decoded, sink);
  return heard;
}

/** Every line once, as exactly one of record (1 or 2 rows), header or bad line. */
function expectAccounted(heard: Heard, content: Buffer) {
  const seen = [...heard.rows.keys(), ...heard.headers, ...heard.bad.map((b) => b.line)].sort(
    (a, b) => a - b,
  );
  expect(seen).toEqual(Array.from({ length: countLines(content) }, (_, i) => i + 1));
  for (const rows of heard.rows.values()) expect(rows.length === 1 || rows.length === 2).toBe(true);
}

const INT = /^\d+$/;
const TIME = /^\d+(?:\.\d+)?$/;
/** The checks of the store's transform, for the layout in biflow.ts, done here on the values. */
function expectStorable(values: string[]) {
  const [src, dst, sport, dport, protocol, packets, bytes, start, end, flags] = values as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  expect(isIP(src) && isIP(dst)).toBeTruthy();
  for (const [value, max] of [
    [sport, 65535],
    [dport, 65535],
    [protocol, 255],
    [flags, 255],
    [packets, Number.MAX_SAFE_INTEGER],
    [bytes, Number.MAX_SAFE_INTEGER],
  ] as const) {
    if (value !== '-') expect(INT.test(value) && Number(value) <= max).toBe(true);
  }
  for (const value of [start, end]) expect(TIME.test(value) && Number(value) <= 4_294_967_295).toBe(true);
  expect(values.join(' ')).not.toContain(MARK);
}

describe('Zeek and Argus reader properties', () => {
  for (const format of Object.keys(FORMATS) as FormatName[]) {
    it(`${format}: accounts for every line of random and mutated input, and emits storable rows only`, async () => {
      const { header, body } = FORMATS[format];
      await fc.assert(
        fc.asyncProperty(body, layout, async (lines, shape) => {
          const content = render(header, lines, shape);
          const heard = await hear(format, content);
          expectAccounted(heard, content);
          for (const rows of heard.rows.values()) for (const values of rows) expectStorable(values);
          // excerpts of TSV and CSV records leave label cells out, however the cells shifted
          if (format !== 'zeek-json') for (const b of heard.bad) expect(b.excerpt).not.toContain(MARK);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('never crashes on random bytes after a valid header', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(FORMATS) as FormatName[])),
        fc.uint8Array({ maxLength: 2000 }),
        async (format, bytes) => {
          const head =
            format === 'zeek-json' ? '{"id.orig_h":"10.0.0.1"}' : FORMATS[format].header.join('\n');
          const content = Buffer.concat([Buffer.from(`${head}\n`), bytes]);
          expectAccounted(await hear(format, content), content);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stores what the readers emit: the transform finds nothing more to reject, gzip or not', async () => {
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(
        FORMATS['zeek-tsv'].body,
        fc.tuple(zeekJson, FORMATS['zeek-json'].body),
        FORMATS.argus.body,
        layout,
        async (zeekLines, [firstJson, jsonLines], argusLines, shape) => {
          const inputs = [
            { format: 'zeek-tsv' as const, content: render(ZEEK_HEADER, zeekLines, shape) },
            { format: 'zeek-json' as const, content: render([firstJson], jsonLines, shape) },
            { format: 'argus' as const, content: render([ARGUS_HEADER], argusLines, shape) },
          ];
          const paths = inputs.map(({ content }) => {
            const path = join(dir, `f${serial++}${shape.gzip ? '.gz' : ''}`);
            writeFileSync(path, shape.gzip ? gzipSync(content) : content);
            return path;
          });
          const db = await ingestInMemory(paths);
          const perLine = await db.rows(
            `SELECT file_id, count(DISTINCT line) AS n FROM flows GROUP BY file_id ORDER BY file_id`,
          );
          const both = await db.rows(
            'SELECT count(*) AS n FROM flows f JOIN bad_lines b ON f.file_id = b.file_id AND f.line = b.line',
          );
          const marked = await db.rows(
            `SELECT count(*) AS n FROM flows WHERE contains(CAST(flows AS VARCHAR), '${MARK}')`,
          );
          db.store.close();
          expect(both).toEqual([{ n: 0 }]);
          expect(marked).toEqual([{ n: 0 }]);
          for (const [index, { format, content }] of inputs.entries()) {
            const file = db.summary.perFile[index];
            const heard = await hear(format, content);
            const rows = [...heard.rows.values()].reduce((sum, r) => sum + r.length, 0);
            expect(file?.format).toBe(format === 'argus' ? 'argus-binetflow' : 'zeek-conn');
            expect(file?.records).toBe(rows);
            expect(file?.badLines).toBe(heard.bad.length);
            const lines = Number(perLine.find((p) => p.file_id === index + 1)?.n ?? 0);
            expect(lines + heard.headers.length + heard.bad.length).toBe(countLines(content));
          }
        },
      ),
      { numRuns: 10 },
    );
  });
});
