import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStream } from '../src/ingest/byteSource.js';
import { readCloudWatch } from '../src/readers/cloudwatch.js';
import { peek } from '../src/readers/decodedStream.js';
import { countLines } from '../src/readers/lineChunks.js';
import type { RecordSink } from '../src/readers/recordSink.js';
import { sniffFormat } from '../src/readers/sniff.js';
import { DEFAULT_V2_LAYOUT, layoutFromNames } from '../src/readers/vpcText.js';
import {
  CUSTOM_HEADER,
  customHealth,
  customRecord,
  epoch,
  mutatedNotHeader,
  V2_HEADER,
  v2Health,
  v2Record,
} from './helpers/flowArbitraries.js';
import { ingestInMemory } from './helpers/ingestInMemory.js';

/**
 * Property tests over the CloudWatch Logs / Firehose reader (src/readers/cloudwatch.ts and the JSON
 * splitter under it): records wrapped in every delivery shape the reader knows, some of them damaged.
 *
 * Intact deliveries are checked against a model of the reader's documented numbering: every message
 * becomes exactly one row, bad line or header, in order, with the number the doc comment promises.
 * Damaged ones are checked for what the reader can promise: no crash, numbers that only grow, a bad
 * line when a value does not parse, and nothing lost before the damage (nor, in a line-delimited file,
 * on any line but the damaged one).
 */

// ---------------------------------------------------------------------------------------------------
// messages: VPC text records in the default or a custom format

type Flavour = 'v2' | 'custom';
const FIELDS: Record<Flavour, readonly (string | null)[]> = {
  v2: layoutFromNames(V2_HEADER.split(' ')).fields,
  custom: layoutFromNames(CUSTOM_HEADER.split(' ')).fields,
};
const HEADERS: Record<Flavour, string> = { v2: V2_HEADER, custom: CUSTOM_HEADER };

interface Message {
  text: string;
  /** record and health must become rows in their flavour's layout; mutated ones a row or a bad line */
  kind: 'record' | 'health' | 'header' | 'mutated';
  flavour: Flavour;
}

const messageOf = (flavour: Flavour): fc.Arbitrary<Message> => {
  const record = flavour === 'v2' ? v2Record : customRecord;
  const health = flavour === 'v2' ? v2Health : customHealth;
  const as = (kind: Message['kind']) => (text: string) => ({ text, kind, flavour });
  return fc.oneof(
    { arbitrary: record.map(as('record')), weight: 6 },
    { arbitrary: health.map(as('health')), weight: 1 },
    { arbitrary: mutatedNotHeader(record).map(as('mutated')), weight: 3 },
    { arbitrary: fc.constant(HEADERS[flavour]).map(as('header')), weight: 1 },
  );
};
const message = fc.oneof(
  { arbitrary: messageOf('v2'), weight: 3 },
  { arbitrary: messageOf('custom'), weight: 1 },
);

// ---------------------------------------------------------------------------------------------------
// JSON deliveries, as a tree of units that render to JSON values

/** A log event that is no record: no "message" string. */
const brokenEvent = fc.constantFrom<unknown>(
  { id: '1', timestamp: 1 },
  { message: 5 },
  { message: null },
  null,
  42,
);
type Event = { message: Message } | { broken: unknown };
const event: fc.Arbitrary<Event> = fc.oneof(
  { arbitrary: message.map((m) => ({ message: m })), weight: 8 },
  { arbitrary: brokenEvent.map((b) => ({ broken: b })), weight: 1 },
);

/** awslogs.data that is no base64 of gzip'd JSON */
type BadData = 'not-base64' | 'not-gzip' | 'not-json' | 'truncated-gzip' | 'zeros' | 'empty';

type Unit =
  /** a Firehose record {"message": …} */
  | { kind: 'firehose'; message: Message }
  /** a subscription payload (logEvents) or saved get-log-events output (events) */
  | { kind: 'payload'; key: 'logEvents' | 'events'; events: Event[] }
  /** a Lambda event: the payload gzip'd and base64'd, padded with whitespace to inflate big */
  | { kind: 'lambda'; events: Event[]; padding: number }
  | { kind: 'badLambda'; data: BadData }
  | { kind: 'control' }
  /** a JSON object that is no delivery at all */
  | { kind: 'odd'; value: unknown }
  | { kind: 'array'; items: Unit[] };

const DELIVERY_KEYS = ['message', 'logEvents', 'events', 'awslogs', 'messageType'];
const oddValue = fc.oneof(
  fc.constantFrom<unknown>(
    { message: 42 },
    { message: null },
    { message: ['x'] },
    { logEvents: 'x' },
    { events: {} },
    { awslogs: { data: 5 } },
    { awslogs: 'x' },
    { awslogs: null },
    { messageType: 'DATA_MESSAGE' },
  ),
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }).filter((key) => !DELIVERY_KEYS.includes(key)),
    fc.jsonValue({ maxDepth: 2 }),
    { minKeys: 1, maxKeys: 4 },
  ),
);
const events = fc.array(event, { maxLength: 6 });
const leafUnit: fc.Arbitrary<Unit> = fc.oneof(
  { arbitrary: message.map((m) => ({ kind: 'firehose' as const, message: m })), weight: 8 },
  {
    arbitrary: fc.record({
      kind: fc.constant('payload' as const),
      key: fc.constantFrom('logEvents', 'events'),
      events,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('lambda' as const),
      events,
      // now and then a payload that inflates to 1 MiB: a gzip bomb kept small
      padding: fc.oneof(
        { arbitrary: fc.constant(0), weight: 9 },
        { arbitrary: fc.constant(1 << 20), weight: 1 },
      ),
    }),
    weight: 2,
  },
  {
    arbitrary: fc
      .constantFrom<BadData>('not-base64', 'not-gzip', 'not-json', 'truncated-gzip', 'zeros', 'empty')
      .map((data) => ({ kind: 'badLambda' as const, data })),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'control' as const }), weight: 1 },
  { arbitrary: oddValue.map((value) => ({ kind: 'odd' as const, value })), weight: 1 },
);
const arrayUnit: fc.Arbitrary<Unit> = fc
  .array(leafUnit, { maxLength: 4 })
  .map((items) => ({ kind: 'array' as const, items }));
const unit = fc.oneof({ arbitrary: leafUnit, weight: 9 }, { arbitrary: arrayUnit, weight: 1 });
/** Arrays more often: a damaged line that opens one is the hardest case for a line-delimited file. */
const lineUnit = fc.oneof({ arbitrary: leafUnit, weight: 3 }, { arbitrary: arrayUnit, weight: 1 });

/**
 * Puts a header message before each message whose format differs from the one in force, in reading
 * order, so that every record is valid where it stands.
 */
function withHeaders(units: readonly Unit[]): Unit[] {
  let current: Flavour = 'v2';
  const switchTo = (m: Message): Message[] => {
    if (m.kind === 'header') current = m.flavour;
    if (m.flavour === current) return [m];
    current = m.flavour;
    return [{ text: HEADERS[m.flavour], kind: 'header', flavour: m.flavour }, m];
  };
  const fixEvents = (list: Event[]): Event[] =>
    list.flatMap((e): Event[] => ('message' in e ? switchTo(e.message).map((m) => ({ message: m })) : [e]));
  const fix = (u: Unit): Unit[] => {
    switch (u.kind) {
      case 'firehose':
        return switchTo(u.message).map((m) => ({ kind: 'firehose', message: m }));
      case 'payload':
      case 'lambda':
        return [{ ...u, events: fixEvents(u.events) }];
      case 'array':
        return [{ kind: 'array', items: u.items.flatMap(fix) }];
      default:
        return [u];
    }
  };
  return units.flatMap(fix);
}

const CONTROL = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [
    { id: '', timestamp: 1620000000000, message: 'CWL CONTROL MESSAGE: Checking health of destination.' },
  ],
};

function payloadOf(key: 'logEvents' | 'events', list: readonly Event[]) {
  const rendered = list.map((e, index) =>
    'message' in e ? { id: `${index}`, timestamp: 1620000000000 + index, message: e.message.text } : e.broken,
  );
  return key === 'events'
    ? { events: rendered, nextForwardToken: 'f/1', nextBackwardToken: 'b/1' }
    : {
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup: '/vpc/flow-logs',
        logStream: 'eni-0abc-all',
        subscriptionFilters: ['to-firehose'],
        logEvents: rendered,
      };
}

const SMALL_PAYLOAD = JSON.stringify(payloadOf('logEvents', []));
function badData(data: BadData): string {
  switch (data) {
    case 'not-base64':
      return '!!! not base64 @@@';
    case 'not-gzip':
      return Buffer.from(SMALL_PAYLOAD).toString('base64');
    case 'not-json':
      return gzipSync('not json at all').toString('base64');
    case 'truncated-gzip': {
      const whole = gzipSync(SMALL_PAYLOAD);
      return whole.subarray(0, whole.length >> 1).toString('base64');
    }
    case 'zeros':
      return gzipSync(Buffer.alloc(1 << 20)).toString('base64');
    case 'empty':
      return '';
  }
}

function jsonOf(u: Unit): unknown {
  switch (u.kind) {
    case 'firehose':
      return { message: u.message.text };
    case 'payload':
      return payloadOf(u.key, u.events);
    case 'lambda': {
      const json = JSON.stringify(payloadOf('logEvents', u.events)) + ' '.repeat(u.padding);
      return { awslogs: { data: gzipSync(json).toString('base64') } };
    }
    case 'badLambda':
      return { awslogs: { data: badData(u.data) } };
    case 'control':
      return CONTROL;
    case 'odd':
      return u.value;
    case 'array':
      return u.items.map(jsonOf);
  }
}

// ---------------------------------------------------------------------------------------------------
// what the reader must report: the model of its numbering (see readCloudWatch's doc comment)

type Seen =
  | { kind: 'row'; line: number; text: string; fields: readonly (string | null)[] }
  | { kind: 'bad'; line: number; reason?: string }
  | { kind: 'header'; line: number }
  /** a damaged message: it may or may not still be a record */
  | { kind: 'row-or-bad'; line: number };

class Numbering {
  private last = 0;
  take(line = 0) {
    this.last = Math.max(this.last + 1, line);
    return this.last;
  }
  peek(line = 0) {
    return Math.max(this.last + 1, line);
  }
}

function expectMessage(m: Message, line: number): Seen {
  if (m.kind === 'header') return { kind: 'header', line };
  if (m.kind === 'mutated') return { kind: 'row-or-bad', line };
  return { kind: 'row', line, text: m.text, fields: FIELDS[m.flavour] };
}

/** `line` is the unit's own line, 0 when it sits in an array and is numbered on from the last record. */
function expectUnit(u: Unit, line: number, n: Numbering, out: Seen[]): void {
  const eventsOf = (list: readonly Event[]) => {
    for (const e of list) {
      const number = n.take();
      out.push('message' in e ? expectMessage(e.message, number) : { kind: 'bad', line: number });
    }
  };
  switch (u.kind) {
    case 'firehose':
      out.push(expectMessage(u.message, n.take(line)));
      return;
    case 'payload':
    case 'lambda':
      eventsOf(u.events);
      return;
    case 'control':
      // counted like a header, numbered by no record
      out.push({ kind: 'header', line: n.peek(line) });
      return;
    case 'badLambda':
    case 'odd':
      out.push({ kind: 'bad', line: n.take(line) });
      return;
    case 'array':
      for (const item of u.items) expectUnit(item, 0, n, out);
      return;
  }
}

function expectAll(units: readonly Unit[], lines: readonly number[]): Seen[] {
  const n = new Numbering();
  const out: Seen[] = [];
  units.forEach((u, index) => {
    expectUnit(u, lines[index] as number, n, out);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// files: units joined by separators, optionally pretty-printed, gzip'd whole or unit by unit

interface Shape {
  pretty: boolean;
  /** separators between units, used in turn */
  separators: string[];
  finalNewline: boolean;
  bom: boolean;
  gzip: 'none' | 'whole' | 'members';
  /** where the stored bytes are cut into the chunks the reader gets */
  cuts: number[];
}

const shape: fc.Arbitrary<Shape> = fc.record({
  pretty: fc.boolean(),
  separators: fc.array(fc.constantFrom('\n', '\n', '', '\r\n', ' ', ',', '\n\n', ',\n'), {
    minLength: 1,
    maxLength: 3,
  }),
  finalNewline: fc.boolean(),
  bom: fc.boolean(),
  gzip: fc.constantFrom('none', 'none', 'whole', 'members'),
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
});

/** One line-delimited file: one compact value per line. */
const ndjson = (s: Shape): Shape => ({ ...s, pretty: false, separators: ['\n'] });
const PLAIN_NDJSON: Shape = {
  pretty: false,
  separators: ['\n'],
  finalNewline: true,
  bom: false,
  gzip: 'none',
  cuts: [],
};

interface Rendered {
  /** each unit's text, and the separator after it */
  pieces: { text: Buffer; after: string }[];
  /** the line each unit starts on */
  lines: number[];
}

function renderUnits(units: readonly Unit[], s: Shape): Rendered {
  let newlines = 0;
  const lines: number[] = [];
  const pieces = units.map((u, index) => {
    const text = s.pretty ? JSON.stringify(jsonOf(u), null, 2) : JSON.stringify(jsonOf(u));
    const last = index === units.length - 1;
    const after = last ? (s.finalNewline ? '\n' : '') : (s.separators[index % s.separators.length] as string);
    lines.push(newlines + 1);
    newlines += countNewlines(text) + countNewlines(after);
    return { text: Buffer.from(text), after };
  });
  return { pieces, lines };
}

const countNewlines = (text: string | Buffer) => {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
};

function fileBytes(r: Rendered, s: Shape): Buffer {
  const parts = r.pieces.map((p) => Buffer.concat([p.text, Buffer.from(p.after)]));
  if (s.bom) parts.unshift(Buffer.from([0xef, 0xbb, 0xbf]));
  if (s.gzip === 'members') return Buffer.concat(parts.map((part) => gzipSync(part)));
  const whole = Buffer.concat(parts);
  return s.gzip === 'whole' ? gzipSync(whole) : whole;
}

// ---------------------------------------------------------------------------------------------------
// reading: the ingest path (decode, sniff, read) with a sink that records what it is told

function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of at) {
    if (cut > from) chunks.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  if (from < bytes.length) chunks.push(bytes.subarray(from));
  return chunks;
}

async function read(bytes: Buffer, cuts: readonly number[], format?: 'json' | 'cloudwatch-export') {
  const { head, stream } = await peek(decodeStream(Readable.from(chunked(bytes, cuts))));
  const found = format ?? sniffFormat(bytes.subarray(0, 16), head);
  const seen: Seen[] = [];
  const warnings: string[] = [];
  const sink: RecordSink = {
    cleanChunk: () => Promise.reject(new Error('the CloudWatch reader has no fast path')),
    row: async (layout, line, values) => {
      seen.push({ kind: 'row', line, text: values.join(' '), fields: layout.fields });
    },
    badLine: (line, reason) => seen.push({ kind: 'bad', line, reason }),
    header: (line) => seen.push({ kind: 'header', line }),
    warn: (text) => warnings.push(text),
  };
  if (found === 'json' || found === 'cloudwatch-export') {
    await readCloudWatch(stream, sink, { layout: DEFAULT_V2_LAYOUT, format: found });
  }
  return { format: found, seen, warnings };
}

/** What was seen, in the terms of what was expected (a damaged message may be either row or bad). */
function comparable(seen: readonly Seen[], expected: readonly Seen[]): Seen[] {
  return seen.map((s, index) => {
    if (expected[index]?.kind === 'row-or-bad' && (s.kind === 'row' || s.kind === 'bad')) {
      return { kind: 'row-or-bad', line: s.line };
    }
    return s.kind === 'bad' ? { kind: 'bad', line: s.line } : s;
  });
}

const rowTexts = (list: readonly Seen[]) => list.flatMap((s) => (s.kind === 'row' ? [s.text] : []));

function isSubsequence(small: readonly string[], big: readonly string[]): boolean {
  let at = 0;
  for (const item of big) if (at < small.length && item === small[at]) at++;
  return at === small.length;
}

/** Records and bad lines: their numbers only grow, and never repeat (headers are counted, not stored). */
function expectGrowingNumbers(seen: readonly Seen[]) {
  const numbered = seen.filter((s) => s.kind !== 'header').map((s) => s.line);
  for (let i = 1; i < numbered.length; i++) expect(numbered[i]).toBeGreaterThan(numbered[i - 1] as number);
}

// ---------------------------------------------------------------------------------------------------
// damage done to one unit's text

interface Damage {
  how: 'truncate' | 'open' | 'insert' | 'delete' | 'junk' | 'flip' | 'break-line';
  at: number;
  junk: string;
  byte: number;
}

const damage: fc.Arbitrary<Damage> = fc.record({
  how: fc.constantFrom('truncate', 'open', 'insert', 'delete', 'junk', 'flip', 'break-line'),
  at: fc.nat(),
  junk: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '}{', '"}', '{"message":'),
  ),
  byte: fc.integer({ min: 1, max: 255 }),
});

function damaged(text: Buffer, d: Damage): Buffer {
  // damage done before may have left nothing to damage
  if (text.length < 2) return Buffer.concat([text, Buffer.from(d.junk)]);
  const at = d.at % text.length;
  switch (d.how) {
    case 'truncate':
      return text.subarray(0, 1 + (d.at % (text.length - 1)));
    case 'open': {
      // cut just after a '{': the value, or an element of an array, is left open at the end of its line
      const braces = [...text.keys()].filter((i) => text[i] === 0x7b);
      return text.subarray(0, 1 + (braces[d.at % braces.length] ?? 0));
    }
    case 'insert':
      return Buffer.concat([text.subarray(0, at), Buffer.from(d.junk), text.subarray(at)]);
    case 'delete':
      return Buffer.concat([text.subarray(0, at), text.subarray(at + 1 + (d.byte % 3))]);
    case 'junk':
      return Buffer.from(d.junk);
    case 'flip': {
      const copy = Buffer.from(text);
      copy[at] = (copy[at] as number) ^ d.byte;
      return copy;
    }
    case 'break-line':
      return Buffer.concat([text.subarray(0, at), Buffer.from('\n'), text.subarray(at)]);
  }
}

/**
 * What damage left: the same bytes, other valid JSON (a line break in the middle of a value parses, but
 * breaks a line-delimited file), nothing to read, or text that cannot parse.
 */
function judge(before: Buffer, after: Buffer): 'same' | 'reshaped' | 'gone' | 'broken' {
  if (after.equals(before)) return 'same';
  // blanks and commas between values are separators to the reader: added at a value's ends, they
  // leave it as it was (a random run found ',{"message":…}', which reads as the record it holds, on the code before this session too)
  const bare = (b: Buffer) => b.toString('latin1').replace(/^[\s,]+|[\s,]+$/g, '');
  // but a line break added before it moves the value to a later line: its records' numbers change
  // (a random run found this: seed 1261891984, a break at byte 0 of a Firehose record)
  const breaksBefore = (b: Buffer) => /^[\s,]*/.exec(b.toString('latin1'))?.[0].split('\n').length ?? 1;
  if (bare(after) === bare(before) && bare(before) !== '') {
    return breaksBefore(after) === breaksBefore(before) ? 'same' : 'reshaped';
  }
  try {
    JSON.parse(after.toString('utf8'));
    return 'reshaped';
  } catch {
    return /^[\s,]*$/.test(after.toString('latin1')) ? 'gone' : 'broken';
  }
}

/** A unit that switches the format: damaging it would change how every record after it reads. */
function holdsHeader(u: Unit): boolean {
  switch (u.kind) {
    case 'firehose':
      return u.message.kind === 'header';
    case 'payload':
    case 'lambda':
      return u.events.some((e) => 'message' in e && e.message.kind === 'header');
    case 'array':
      return u.items.some(holdsHeader);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// CloudWatch Logs exports: `<ISO time> <message>` lines

const stamp = fc.tuple(epoch, fc.integer({ min: 0, max: 999 }), fc.nat({ max: 4 })).map(([t, ms, style]) => {
  const iso = new Date(t * 1000 + ms).toISOString();
  // export files carry the full form; `aws logs tail` drops the fraction and the zone
  return [
    iso,
    iso.replace(/\.\d+Z$/, 'Z'),
    iso.replace(/\.\d+Z$/, ''),
    iso.replace('Z', '+00:00'),
    iso.replace('Z', '-0500'),
  ][style] as string;
});

type ExportLine =
  | { kind: 'stamped'; stamp: string; message: Message }
  /** a message without its time: still a record */
  | { kind: 'bare'; message: Message }
  /** a time the reader does not recognise: the line is read whole, and is rarely a record */
  | { kind: 'odd-stamp'; stamp: string; message: Message }
  | { kind: 'blank' };

const stampedLine = fc
  .record({ stamp, message })
  .map(({ stamp: s, message: m }): ExportLine => ({ kind: 'stamped', stamp: s, message: m }));
const exportLine: fc.Arbitrary<ExportLine> = fc.oneof(
  { arbitrary: stampedLine, weight: 12 },
  { arbitrary: message.map((m): ExportLine => ({ kind: 'bare', message: m })), weight: 1 },
  {
    arbitrary: fc.record({ stamp, message }).map(
      ({ stamp: s, message: m }): ExportLine => ({
        kind: 'odd-stamp',
        stamp: s.replace('T', ' '),
        message: m,
      }),
    ),
    weight: 1,
  },
  { arbitrary: fc.constant<ExportLine>({ kind: 'blank' }), weight: 1 },
);
const exportFile = fc.record({
  // the first line carries a time: that is how the file is known for an export
  lines: fc
    .tuple(stampedLine, fc.array(exportLine, { maxLength: 40 }))
    .map(([first, rest]) => [first, ...rest]),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  gzip: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
});

function exportWithHeaders(lines: readonly ExportLine[]): ExportLine[] {
  let current: Flavour = 'v2';
  return lines.flatMap((l): ExportLine[] => {
    if (l.kind !== 'stamped' && l.kind !== 'bare') return [l];
    const m = l.message;
    if (m.kind === 'header') current = m.flavour;
    if (m.flavour === current) return [l];
    current = m.flavour;
    const header: Message = { text: HEADERS[m.flavour], kind: 'header', flavour: m.flavour };
    return [{ kind: 'stamped', stamp: '2021-05-03T00:00:00.000Z', message: header }, l];
  });
}

function exportText(l: ExportLine): string {
  switch (l.kind) {
    case 'stamped':
    case 'odd-stamp':
      return `${l.stamp} ${l.message.text}`;
    case 'bare':
      return l.message.text;
    case 'blank':
      return '';
  }
}

/** One entry per line of the file: a damaged message may hold line breaks of its own. */
function expectExport(lines: readonly ExportLine[]): Seen[] {
  const out: Seen[] = [];
  for (const l of lines) {
    const line = out.length + 1;
    if (l.kind === 'blank') out.push({ kind: 'bad', line });
    else if (l.kind === 'odd-stamp') out.push({ kind: 'row-or-bad', line });
    else out.push(expectMessage(l.message, line));
    for (let extra = countNewlines(exportText(l)); extra > 0; extra--) {
      out.push({ kind: 'row-or-bad', line: out.length + 1 });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

describe('CloudWatch Logs / Firehose reader properties', () => {
  it('accounts for every message of intact deliveries in every shape, numbered as documented', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unit, { minLength: 1, maxLength: 10 }), shape, async (generated, s) => {
        const units = withHeaders(generated);
        const rendered = renderUnits(units, s);
        const expected = expectAll(units, rendered.lines);
        const { format, seen, warnings } = await read(fileBytes(rendered, s), s.cuts);
        expect(format).toBe('json');
        expect(comparable(seen, expected)).toEqual(expected);
        expect(warnings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('reads line-delimited deliveries at the line of each value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(leafUnit, { minLength: 1, maxLength: 10 }), shape, async (generated, s) => {
        const units = withHeaders(generated);
        const rendered = renderUnits(units, ndjson(s));
        const expected = expectAll(units, rendered.lines);
        const { seen } = await read(fileBytes(rendered, ndjson(s)), s.cuts);
        expect(comparable(seen, expected)).toEqual(expected);
        // a value holding one record keeps its line, when nothing before it pushed the numbers on
        const firehose = units.findIndex((u) => u.kind === 'firehose');
        if (firehose !== -1 && units.slice(0, firehose).every((u) => u.kind === 'firehose')) {
          expect(seen[firehose]?.line).toBe(firehose + 1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('survives damaged values: a bad line for each, and nothing lost before the damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(unit, { minLength: 1, maxLength: 10 }),
        shape,
        fc.array(fc.tuple(fc.nat(), damage), { minLength: 1, maxLength: 3 }),
        async (generated, s, damages) => {
          const units = withHeaders(generated);
          const rendered = renderUnits(units, s);
          const originals = rendered.pieces.map((piece) => piece.text);
          for (const [which, d] of damages) {
            const index = which % units.length;
            const piece = rendered.pieces[index] as Rendered['pieces'][number];
            if (!holdsHeader(units[index] as Unit)) piece.text = damaged(piece.text, d);
          }
          const verdicts = rendered.pieces.map((piece, index) =>
            judge(originals[index] as Buffer, piece.text),
          );
          const { seen } = await read(fileBytes(rendered, s), s.cuts, 'json');

          expectGrowingNumbers(seen);
          // one value that cannot parse is reported (two may happen to make one valid value: '[' and ']')
          const touched = verdicts.filter((v) => v !== 'same');
          if (touched.length === 1 && touched[0] === 'broken')
            expect(seen.some((x) => x.kind === 'bad')).toBe(true);
          // everything before the first damaged value reads as if nothing had happened
          const firstDamaged = verdicts.findIndex((v) => v !== 'same');
          if (firstDamaged !== -1) {
            const before = expectAll(units.slice(0, firstDamaged), rendered.lines);
            expect(comparable(seen.slice(0, before.length), before)).toEqual(before);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('loses nothing but the damaged line of a line-delimited delivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineUnit, { minLength: 2, maxLength: 12 }),
        shape,
        fc.nat(),
        fc.array(damage, { minLength: 1, maxLength: 3 }),
        async (generated, given, which, damages) => {
          const s = ndjson(given);
          const units = withHeaders(generated);
          const rendered = renderUnits(units, s);
          const index = which % units.length;
          const piece = rendered.pieces[index] as Rendered['pieces'][number];
          const original = piece.text;
          if (!holdsHeader(units[index] as Unit)) {
            for (const d of damages) piece.text = damaged(piece.text, d);
          }
          // read as JSON whatever the first line became: the sniffer's call is not under test here
          const { seen } = await read(fileBytes(rendered, s), s.cuts, 'json');

          expectGrowingNumbers(seen);
          if (judge(original, piece.text) === 'broken') expect(seen.some((x) => x.kind === 'bad')).toBe(true);
          // The file is known to be line-delimited once a value (not an array) has closed on its line;
          // before that, a damaged value runs on, and its lines are read one by one only when most of
          // them parse alone (lineByLine): a damaged line broken in two can outvote a single good line.
          const known = units.slice(0, index).some((u) => u.kind !== 'array');
          if (known || countNewlines(piece.text) === 0) {
            const others = units.filter((_, at) => at !== index);
            const wanted = rowTexts(
              expectAll(
                others,
                others.map(() => 0),
              ),
            );
            expect(isSubsequence(wanted, rowTexts(seen))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads exports line by line: every line a record, health fact, header or bad line', async () => {
    await fc.assert(
      fc.asyncProperty(exportFile, async (f) => {
        const lines = exportWithHeaders(f.lines);
        const text = lines.map(exportText).join(f.crlf ? '\r\n' : '\n') + (f.finalNewline ? '\n' : '');
        const bytes = Buffer.from(text);
        const { format, seen } = await read(f.gzip ? gzipSync(bytes) : bytes, f.cuts);
        expect(format).toBe('cloudwatch-export');
        // a blank last line, or a message ending in a line break, is no line when no newline follows
        const expected = expectExport(lines).slice(0, countLines(bytes));
        expect(comparable(seen, expected)).toEqual(expected);
        expect(seen).toHaveLength(countLines(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps what a gzip delivery held before it was cut, and reports the cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(leafUnit, { minLength: 5, maxLength: 20 }),
        exportFile,
        fc.boolean(),
        fc.double({ min: 0.1, max: 0.95, noNaN: true }),
        async (generated, e, asExport, keep) => {
          let bytes: Buffer;
          let expected: Seen[];
          if (asExport) {
            const lines = exportWithHeaders(e.lines);
            bytes = Buffer.from(`${lines.map(exportText).join('\n')}\n`);
            expected = expectExport(lines);
          } else {
            const units = withHeaders(generated);
            const rendered = renderUnits(units, PLAIN_NDJSON);
            bytes = fileBytes(rendered, PLAIN_NDJSON);
            expected = expectAll(units, rendered.lines);
          }
          const whole = gzipSync(bytes);
          const cut = whole.subarray(0, Math.floor(whole.length * keep));
          const { seen } = await read(cut, e.cuts, asExport ? 'cloudwatch-export' : 'json');
          const last = seen.at(-1);
          expect(last).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/^gzip stream/) });
          // what came before the cut is read as it would be whole, up to the value or line the cut went through
          const before = seen.slice(0, -1);
          expect(before.length).toBeLessThanOrEqual(expected.length + 1);
          const complete = comparable(before.slice(0, -1), expected);
          expect(complete).toEqual(expected.slice(0, complete.length));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never crashes on random bytes, plain or gzip-looking, read as JSON or as an export', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.boolean(),
        fc.constantFrom('json' as const, 'cloudwatch-export' as const),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (random, magic, format, cuts) => {
          const bytes = magic ? Buffer.concat([Buffer.from([0x1f, 0x8b]), random]) : Buffer.from(random);
          const { seen } = await read(bytes, cuts, format);
          expectGrowingNumbers(seen);
          if (magic) {
            expect(seen.at(-1)).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/^gzip stream/) });
          } else if (format === 'cloudwatch-export') {
            expect(seen).toHaveLength(countLines(bytes));
          } else if (seen.length === 0) {
            // nothing reported: there was nothing but blanks, separators and empty arrays
            expect(bytes.toString('latin1')).toMatch(/^[\s,[\]\xef\xbb\xbf]*$/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('CloudWatch Logs / Firehose ingest properties', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowhawk-cwfuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let serial = 0;

  it('accounts for every message in the ingest summary, and stores every valid record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(unit, { minLength: 1, maxLength: 8 }),
        shape,
        exportFile,
        async (generated, s, e) => {
          const units = withHeaders(generated);
          const rendered = renderUnits(units, s);
          const lines = exportWithHeaders(e.lines);
          const jsonPath = join(dir, `d${serial++}.json`);
          const exportPath = join(dir, `e${serial++}.log`);
          writeFileSync(jsonPath, fileBytes(rendered, s));
          writeFileSync(exportPath, `${lines.map(exportText).join('\n')}\n`);
          const expected = { json: expectAll(units, rendered.lines), export: expectExport(lines) };

          const db = await ingestInMemory([jsonPath, exportPath]);
          try {
            const { summary } = db;
            expect(summary.perFile.map((f) => f.format)).toEqual(['json', 'cloudwatch-export']);
            expect(
              summary.records + summary.nodata + summary.skipdata + summary.headers + summary.badLines,
            ).toBe(expected.json.length + expected.export.length);
            // every valid record is a flow and every health record a log-health fact, at its number
            for (const [fileId, list] of [
              [1, expected.json],
              [2, expected.export],
            ] as const) {
              const flows = await db.rows(`SELECT line FROM flows WHERE file_id = ${fileId}`);
              const health = await db.rows(`SELECT line FROM log_health WHERE file_id = ${fileId}`);
              const numbers = (rows: Record<string, unknown>[]) => new Set(rows.map((r) => r.line));
              const rows = list.filter((x): x is Seen & { kind: 'row' } => x.kind === 'row');
              const isHealth = (x: { text: string }) => / (NODATA|SKIPDATA)$/.test(x.text);
              for (const x of rows) expect(numbers(isHealth(x) ? health : flows).has(x.line)).toBe(true);
            }
          } finally {
            db.store.close();
          }
        },
      ),
      { numRuns: 6 },
    );
  });
});
