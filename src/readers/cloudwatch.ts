import { byteText, utf8Text } from './bytes.js';
import type { DecodedStream } from './decodedStream.js';
import { defineReader } from './defineReader.js';
import { gunzipBase64Text } from './embeddedGzip.js';
import { type JsonPiece, type JsonPosition, JsonValueSplitter } from './jsonValues.js';
import { lineChunks } from './lineChunks.js';
import type { RecordSink } from './recordSink.js';
import { parseHeader, splitRecord, type VpcLayout } from './vpcText.js';

export interface CloudWatchOptions {
  /** field order of the messages (the default v2 format unless the user gave --fields) */
  layout: VpcLayout;
  format: 'json' | 'cloudwatch-export';
}

/**
 * CloudWatch Logs exports put the event time before each message (`2023-01-01T00:00:00.000Z …`);
 * `aws logs tail --format short` prints it without fraction or zone.
 */
export const CLOUDWATCH_EXPORT_LINE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})? /;

export const cloudwatchJsonReader = defineReader({
  id: 'json',
  describe: [
    'CloudWatch Logs subscription payloads (plain, Lambda base64+gzip), Firehose records, get-log-events output',
  ],
  // after Zeek's JSON lines in the list: those are objects too
  sniff: ({ first }) => first.startsWith('{') || first.startsWith('['),
  readText: (stream, sink, { layout }) => readCloudWatch(stream, sink, { layout, format: 'json' }),
});

export const cloudwatchExportReader = defineReader({
  id: 'cloudwatch-export',
  describe: ['CloudWatch Logs exports and `aws logs tail --format short`: <ISO time> <message> lines'],
  sniff: ({ line }) => CLOUDWATCH_EXPORT_LINE.test(line),
  readText: (stream, sink, { layout }) =>
    readCloudWatch(stream, sink, { layout, format: 'cloudwatch-export' }),
});

const EXCERPT_CHARS = 120;
/** A Lambda event is at most 6 MB; its payload cannot inflate past this unless it is a gzip bomb. */
const MAX_INFLATED_BYTES = 256 << 20;

/**
 * Reads flow log records delivered through CloudWatch Logs, each message one VPC text record:
 * - subscription payloads ({"messageType":"DATA_MESSAGE", …, "logEvents":[{"message":…}]}), alone,
 *   concatenated with no separator or one per line (Firehose to S3), or wrapped as a Lambda event
 *   ({"awslogs":{"data":"<base64 of gzip of the payload>"}});
 * - Firehose records ({"message":…}) one per line, and JSON arrays of any of these;
 * - saved `aws logs get-log-events` / `filter-log-events` output ({"events":[{"message":…}]});
 * - CloudWatch Logs exports: `<ISO timestamp> <message>` lines.
 *
 * Line numbers (flows.line): export lines, and JSON values holding one record (NDJSON), keep the
 * 1-based line of the decoded file they start on. Records without a line of their own (the events of
 * a payload, the elements of an array) are numbered on from the previous record: a file of payloads
 * has its events numbered 1..N in order. Numbers thus only grow through a file, and never repeat.
 */
export async function readCloudWatch(decoded: DecodedStream, sink: RecordSink, options: CloudWatchOptions) {
  const messages = new MessageReader(sink, options.layout);
  const lastLine =
    options.format === 'cloudwatch-export'
      ? await readExport(decoded, messages)
      : await readJson(decoded, messages);
  // JSON is split by value, not by line: its damage points are reported after its last line
  if (options.format === 'json') {
    for (const damage of decoded.damages) sink.badLine(messages.take(lastLine + 1), damage.reason, '');
  }
  for (const warning of decoded.warnings) sink.warn(warning);
}

/** Turns messages into rows, header switches or bad lines, and hands out the numbers they carry. */
class MessageReader {
  private last = 0;
  private readonly warned = new Set<string>();

  constructor(
    readonly sink: RecordSink,
    private layout: VpcLayout,
  ) {}

  /** The next number: at least `line` when the record has a line of its own, else one past the last. */
  take(line = 0): number {
    this.last = Math.max(this.last + 1, line);
    return this.last;
  }

  /** The number the next record would get, for things that are counted but numbered by no record. */
  peek(line = 0): number {
    return Math.max(this.last + 1, line);
  }

  async message(number: number, text: string): Promise<void> {
    const header = asHeader(text);
    if (header) {
      this.adopt(header);
      this.sink.header(number);
      return;
    }
    const split = splitRecord(text, this.layout);
    if ('reason' in split) this.sink.badLine(number, split.reason, excerpt(text));
    else await this.sink.row(this.layout, number, split.values);
  }

  private adopt(layout: VpcLayout) {
    this.layout = layout;
    const unknown = layout.unknown.filter((name) => !this.warned.has(name));
    for (const name of unknown) this.warned.add(name);
    if (unknown.length > 0)
      this.sink.warn(`unknown field(s) ${unknown.join(', ')} skipped (values not stored)`);
  }
}

/** A message that names fields rather than holding values, as readLines recognises a repeated header. */
function asHeader(text: string): VpcLayout | undefined {
  const trimmed = text.trimStart();
  const head = trimmed.charCodeAt(0);
  if (head < 0x61 || head > 0x7a) return undefined;
  const header = parseHeader(trimmed);
  return header && !/\d/.test(trimmed.split(/\s+/, 1)[0] ?? '') ? header : undefined;
}

async function readExport(decoded: DecodedStream, messages: MessageReader): Promise<number> {
  let lastLine = 0;
  for await (const chunk of lineChunks(decoded.chunks, undefined, decoded.damages)) {
    lastLine = Math.max(lastLine, chunk.firstLine + chunk.lineCount - 1);
    if (chunk.broken !== undefined) {
      messages.sink.badLine(messages.take(chunk.firstLine), chunk.broken, excerpt(chunk.bytes));
      continue;
    }
    const lines = utf8Text(chunk.bytes).split('\n');
    // the chunk's final '\n' leaves one empty string that is no line
    if (lines[lines.length - 1] === '') lines.pop();
    for (let index = 0; index < lines.length; index++) {
      const text = lines[index] as string;
      const stamp = CLOUDWATCH_EXPORT_LINE.exec(text);
      await messages.message(
        messages.take(chunk.firstLine + index),
        stamp ? text.slice(stamp[0].length) : text,
      );
    }
  }
  return lastLine;
}

async function readJson(decoded: DecodedStream, messages: MessageReader): Promise<number> {
  const splitter = new JsonValueSplitter();
  for await (const chunk of decoded.chunks) {
    for (const piece of splitter.push(chunk)) await onPiece(piece, messages);
  }
  for (const piece of splitter.end()) await onPiece(piece, messages);
  // the last line that ended: a failure belongs just after it
  return splitter.currentLine - 1;
}

async function onPiece(piece: JsonPiece, messages: MessageReader): Promise<void> {
  // an array element has no line of its own: number it on from the previous record
  const line = piece.inArray ? 0 : piece.at.line;
  if (piece.kind === 'bad') {
    messages.sink.badLine(
      messages.take(line),
      `${piece.reason} (${where(piece.at)})`,
      excerpt(piece.excerpt),
    );
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(piece.text);
  } catch (error) {
    // array elements too: a damaged NDJSON line that opens an array ('[{"message":…},{' cut short)
    // makes the lines after it elements of that array, and its open element runs on over all of them;
    // skipping elements here lost every record after such a line (found by test/cloudwatchFuzz.test.ts)
    if (piece.text.includes('\n') && (await lineByLine(piece, messages))) return;
    const problem = piece.incomplete
      ? 'JSON value incomplete at the end of the input'
      : `JSON does not parse: ${parseError(piece.text, piece.at, error)}`;
    const reason = `${problem} (value starts at ${where(piece.at)})`;
    messages.sink.badLine(messages.take(line), reason, excerpt(piece.text));
    return;
  }
  await onValue(value, messages, line, piece.at);
}

/**
 * A broken line in NDJSON (a record cut short, say) makes the depth count run on into the following
 * lines. When most lines of the failed value parse on their own, the input was line-delimited: read it
 * line by line so that only the broken line is lost. Returns false otherwise.
 */
async function lineByLine(piece: JsonPiece & { kind: 'value' }, messages: MessageReader): Promise<boolean> {
  const lines = piece.text.split('\n');
  const parsed = lines.map((text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null ? { value } : undefined;
    } catch {
      return undefined;
    }
  });
  // a pretty-printed value has lines that parse alone too (its last array element): demand a majority
  const filled = lines.filter((text) => text.trim() !== '').length;
  if (parsed.filter((entry) => entry !== undefined).length * 2 < filled) return false;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] as string;
    const line = piece.at.line + index;
    const entry = parsed[index];
    if (entry) await onValue(entry.value, messages, line, { line, column: 1 });
    else if (text.trim() !== '') {
      messages.sink.badLine(messages.take(line), `JSON line does not parse (line ${line})`, excerpt(text));
    }
  }
  return true;
}

/**
 * One parsed JSON value. `line` is the line the value starts on when it is a record of its own, 0
 * when it sits in a container (array, payload) and is numbered on from the previous record.
 */
async function onValue(value: unknown, messages: MessageReader, line: number, at: JsonPosition) {
  if (Array.isArray(value)) {
    for (const element of value) await onValue(element, messages, 0, at);
    return;
  }
  const { sink } = messages;
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const events = record.logEvents ?? record.events;
  const awslogs = record.awslogs as { data?: unknown } | undefined;
  if (record.messageType === 'CONTROL_MESSAGE') {
    // CloudWatch's check that the destination is reachable: no records, but counted like a header line
    sink.header(messages.peek(line));
  } else if (Array.isArray(events)) {
    for (const event of events) {
      const message = (event as { message?: unknown } | null)?.message;
      const number = messages.take();
      if (typeof message === 'string') await messages.message(number, message);
      else sink.badLine(number, 'log event without a "message" string', excerpt(JSON.stringify(event) ?? ''));
    }
  } else if (typeof record.message === 'string') {
    await messages.message(messages.take(line), record.message);
  } else if (typeof awslogs?.data === 'string') {
    let payload: unknown;
    try {
      payload = JSON.parse(await gunzipBase64Text(awslogs.data, MAX_INFLATED_BYTES));
    } catch (error) {
      const reason = `awslogs.data is not base64 of gzip'd JSON (${(error as Error).message}; at ${where(at)})`;
      sink.badLine(messages.take(line), reason, excerpt(awslogs.data));
      return;
    }
    await onValue(payload, messages, 0, at);
  } else {
    const reason =
      'JSON value is no CloudWatch Logs payload or Firehose record (no "logEvents", "message" or ' +
      `"awslogs.data"; at ${where(at)})`;
    sink.badLine(messages.take(line), reason, excerpt(JSON.stringify(value) ?? ''));
  }
}

/** V8 says where in the value parsing failed; the user needs that as a line and column of the file. */
function parseError(text: string, at: JsonPosition, error: unknown): string {
  const message = (error as Error).message;
  const found = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(message);
  if (!found) return message;
  const before = text.slice(0, Number(found[1]));
  const breaks = before.split('\n').length - 1;
  const column = breaks === 0 ? at.column + before.length : before.length - before.lastIndexOf('\n');
  return `${message.replace(found[0], '')} at line ${at.line + breaks}, column ${column}`;
}

function where(at: JsonPosition): string {
  return `line ${at.line}, column ${at.column}`;
}

function excerpt(text: string | Uint8Array): string {
  const shown = typeof text === 'string' ? text : byteText(text);
  return shown.slice(0, EXCERPT_CHARS).replace(/[^\x20-\x7e]/g, '?');
}
