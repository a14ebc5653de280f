import { type Biflow, emitBiflow, isIpAddress } from './biflow.js';
import type { DecodedStream } from './decodedStream.js';
import { defineReader } from './defineReader.js';
import { addSeconds, isDecimalSeconds, isoToEpoch, numberToSeconds } from './epochSeconds.js';
import { ICMP, ICMPV6, protocolNumber, TCP } from './protocolNumbers.js';
import type { RecordSink } from './recordSink.js';
import { zeekHistoryFlags } from './tcpFlags.js';
import { cellsWithoutLabels, excerpt, forEachLine, isLabelColumn } from './textLines.js';

/**
 * Reads Zeek's conn.log, in either of the writer's formats, and emits each connection as flow rows
 * (see biflow.ts):
 * - TSV, the default: `#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#open`,
 *   `#fields`, `#types` and `#close` lines (headers), then tab-separated records whose columns the
 *   `#fields` line names. Concatenated logs simply start a new header block.
 * - JSON (`LogAscii::use_json`): one object per line with keys like `id.orig_h`, `ts` as Unix
 *   seconds or ISO 8601 text; unset fields are left out. A nested `{"id": {"orig_h": …}}` works too.
 *
 * Mapping: ts → start, ts + duration → end (end = start when duration is unset), id.orig_h/id.orig_p →
 * source, id.resp_h/id.resp_p → destination, proto → IANA number, orig_pkts/orig_ip_bytes on the
 * forward row and resp_pkts/resp_ip_bytes on the reverse row (IP-level bytes, like VPC's `bytes`),
 * `history` → TCP flags per direction. Zeek logs ICMP with the type in id.orig_p and, in id.resp_p,
 * the code (or, for request types such as echo, the type of the expected reply): they land in
 * src_port and dst_port as they are. Label columns (`label`, `detailedlabel`, …) are dropped.
 */
const ZEEK_JSON_KEY = /"id\.orig_h"\s*:|"id"\s*:\s*\{\s*"orig_h"\s*:/;

export const zeekConnReader = defineReader({
  id: 'zeek-conn',
  describe: ['Zeek conn.log, TSV (#separator header) or JSON lines'],
  // TSV logs open with their separator; Zeek's JSON writer keys the connection as "id.orig_h"
  sniff: ({ line }) => line.startsWith('#separator') || (line.startsWith('{') && ZEEK_JSON_KEY.test(line)),
  readText: (stream, sink) => readZeekConn(stream, sink),
  connectionLog: true,
});

export async function readZeekConn(decoded: DecodedStream, sink: RecordSink): Promise<void> {
  const tsv = new ZeekTsv(sink);
  const json = new ZeekJson(sink);
  await forEachLine(decoded, sink, async (text, line) => {
    if (text.startsWith('#')) tsv.header(text, line);
    else if (text.trimStart().startsWith('{')) await json.record(text, line);
    else await tsv.record(text, line);
  });
}

/** What is wrong with a record; thrown while it is converted, reported as its bad line. */
class RecordProblem extends Error {}

type Value = string | number | undefined;

/** Columns a conn.log record cannot do without. */
const REQUIRED = ['ts', 'id.orig_h', 'id.resp_h', 'proto'];

function toBiflow(get: (name: string) => Value): Biflow {
  const start = seconds('ts', get('ts'));
  if (start === undefined) throw new RecordProblem('ts is unset');
  const duration = interval('duration', get('duration'));
  const end = duration === undefined ? start : addSeconds(start, duration);
  if (!isDecimalSeconds(end)) throw new RecordProblem(`ts + duration (${end}) is beyond the year 2106`);
  const origAddr = address('id.orig_h', get('id.orig_h'));
  const respAddr = address('id.resp_h', get('id.resp_h'));
  const protocol = zeekProtocol(get('proto'), origAddr);
  const history = get('history');
  const flags =
    protocol === TCP && typeof history === 'string' && history !== '' ? zeekHistoryFlags(history) : undefined;
  return {
    orig: {
      addr: origAddr,
      port: count('id.orig_p', get('id.orig_p'), 65535),
      packets: count('orig_pkts', get('orig_pkts')),
      bytes: count('orig_ip_bytes', get('orig_ip_bytes')),
      flags: flags?.orig,
    },
    resp: {
      addr: respAddr,
      port: count('id.resp_p', get('id.resp_p'), 65535),
      packets: count('resp_pkts', get('resp_pkts')),
      bytes: count('resp_ip_bytes', get('resp_ip_bytes')),
      flags: flags?.resp,
    },
    protocol,
    start,
    end,
  };
}

const shown = (value: Value) => `"${String(value).slice(0, 40)}"`;

function seconds(name: string, value: Value): string | undefined {
  if (value === undefined) return undefined;
  const text =
    typeof value === 'number'
      ? numberToSeconds(value)
      : isDecimalSeconds(value)
        ? value
        : isoToEpoch(value.trim());
  if (text === undefined || !isDecimalSeconds(text))
    throw new RecordProblem(`${name} ${shown(value)} is not Unix seconds 0-4294967295 or an ISO 8601 time`);
  return text;
}

/** A Zeek interval: seconds as a number (JSON) or decimal text (TSV). */
function interval(name: string, value: Value): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? numberToSeconds(value) : value;
  if (text === undefined || !isDecimalSeconds(text))
    throw new RecordProblem(`${name} ${shown(value)} is not a number of seconds`);
  return text;
}

function address(name: string, value: Value): string {
  if (value === undefined) throw new RecordProblem(`${name} is unset`);
  if (typeof value !== 'string' || !isIpAddress(value))
    throw new RecordProblem(`${name} ${shown(value)} is not an IPv4 or IPv6 address`);
  return value;
}

function count(name: string, value: Value, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0 || number > max)
    throw new RecordProblem(`${name} ${shown(value)} is not an integer 0-${max}`);
  return number;
}

/** Zeek's transport enum: tcp, udp, icmp (for ICMPv6 too) or unknown_transport (some other IP protocol). */
function zeekProtocol(value: Value, origAddr: string): number | undefined {
  if (value === undefined) throw new RecordProblem('proto is unset');
  if (typeof value !== 'string') throw new RecordProblem(`proto ${shown(value)} is not a protocol name`);
  const name = value.toLowerCase();
  if (name === 'unknown_transport') return undefined;
  if (name === 'icmp') return origAddr.includes(':') ? ICMPV6 : ICMP;
  const found = protocolNumber(name);
  if ('number' in found) return found.number;
  throw new RecordProblem(`proto ${shown(value)} is not tcp, udp, icmp or unknown_transport`);
}

const DIRECTIVES = new Set([
  'separator',
  'set_separator',
  'empty_field',
  'unset_field',
  'path',
  'open',
  'fields',
  'types',
  'close',
]);

/** The TSV writer's state: what the header lines of the current log section said. */
class ZeekTsv {
  private separator = '\t';
  private emptyField = '(empty)';
  private unsetField = '-';
  private path: string | undefined;
  /** column names in order; a cell of #fields may hold several names separated by spaces (see split) */
  private names: string[] | undefined;
  /** names per tab-separated cell of the last #fields, and how many names in all */
  private groups: number[] = [];
  private fieldCount = 0;
  private index = new Map<string, number>();
  /** label columns, by name and by cell of #fields: never stored, cut from excerpts */
  private labelNames = new Set<number>();
  private labelCells = new Set<number>();
  private missing: string[] = [];
  private readonly warned = new Set<string>();

  constructor(private readonly sink: RecordSink) {}

  header(text: string, line: number): void {
    const name = /^#([a-z_]+)/.exec(text)?.[1] ?? '';
    if (!DIRECTIVES.has(name)) {
      this.sink.badLine(line, `"#${name}" is no Zeek log header line`, excerpt(text));
      return;
    }
    // the value follows one separator (a space after #separator, which defines the separator)
    const value = text.slice(name.length + 2);
    switch (name) {
      case 'separator':
        // a new log section: its own #fields follows
        this.separator = unescapeZeek(value.trim()) || '\t';
        this.names = undefined;
        this.path = undefined;
        break;
      case 'empty_field':
        this.emptyField = value;
        break;
      case 'unset_field':
        this.unsetField = value;
        break;
      case 'path':
        this.path = value.trim();
        break;
      case 'fields':
        this.adoptFields(value);
        break;
    }
    this.sink.header(line);
  }

  private adoptFields(value: string): void {
    // Some labelled captures append label columns separated by spaces, not tabs
    // (`tunnel_parents   label   detailedlabel`): every cell is split on whitespace again.
    const cells = value.split(this.separator).map((cell) => cell.trim().split(/\s+/));
    this.names = cells.flat();
    this.fieldCount = this.names.length;
    this.groups = cells.map((cell) => cell.length);
    this.index = new Map(this.names.map((column, at) => [column, at]));
    this.labelNames = new Set(this.names.flatMap((column, at) => (isLabelColumn(column) ? [at] : [])));
    this.labelCells = new Set(
      cells.flatMap((cell, at) => (cell.some((column) => isLabelColumn(column)) ? [at] : [])),
    );
    this.missing = REQUIRED.filter((column) => !this.index.has(column));
    const labels = this.names.filter((column) => isLabelColumn(column));
    const fresh = labels.filter((column) => !this.warned.has(column));
    for (const column of fresh) this.warned.add(column);
    if (fresh.length > 0)
      this.sink.warn(`label column(s) ${fresh.join(', ')} dropped: ground truth is never stored`);
  }

  async record(text: string, line: number): Promise<void> {
    const cells = text.split(this.separator);
    const names = this.names;
    let reason: string | undefined;
    if (text.trim() === '') reason = 'empty line';
    else if (!names) reason = 'record before any #fields header line (not a Zeek TSV log?)';
    else if (this.path !== undefined && this.path !== 'conn')
      reason = `record of a Zeek "${this.path.slice(0, 40)}" log: only conn.log records are flows`;
    else if (this.missing.length > 0)
      reason = `#fields has no ${this.missing.join(', ')} column (not a conn.log?)`;
    if (reason === undefined && names) {
      const values = this.split(cells, names.length);
      if ('reason' in values) reason = values.reason;
      else {
        try {
          await emitBiflow(
            this.sink,
            line,
            toBiflow((column) => this.value(values.values, column)),
          );
          return;
        } catch (error) {
          if (!(error instanceof RecordProblem)) throw error;
          reason = error.message;
        }
      }
    }
    this.sink.badLine(line, reason ?? 'unreadable record', this.excerpt(cells, text));
  }

  /** One value per column name, splitting cells that #fields gave several names to. */
  private split(cells: string[], expected: number): { values: string[] } | { reason: string } {
    if (cells.length === expected) return { values: cells };
    if (cells.length !== this.groups.length)
      return { reason: `${cells.length} fields where #fields names ${expected}` };
    const values: string[] = [];
    for (let at = 0; at < cells.length; at++) {
      const want = this.groups[at] as number;
      const cell = cells[at] as string;
      if (want === 1) {
        values.push(cell);
        continue;
      }
      // the last name of the group takes the rest: a detailed label may itself hold spaces
      const parts = cell.trim().split(/\s+/);
      if (parts.length < want) return { reason: `${cells.length} fields where #fields names ${expected}` };
      values.push(...parts.slice(0, want - 1), parts.slice(want - 1).join(' '));
    }
    return { values };
  }

  private value(values: readonly string[], column: string): Value {
    const at = this.index.get(column);
    const value = at === undefined ? undefined : values[at];
    return value === undefined || value === this.unsetField || value === this.emptyField ? undefined : value;
  }

  /**
   * The record for the bad-line report, label cells left out (ground truth must not reach the store).
   * The last #fields seen still says where labels sit when a new section has not named its own yet.
   */
  private excerpt(cells: readonly string[], text: string): string {
    if (this.groups.length === 0) return excerpt(text);
    const kept =
      cells.length === this.fieldCount
        ? cellsWithoutLabels(cells, this.fieldCount, this.labelNames)
        : cellsWithoutLabels(cells, this.groups.length, this.labelCells);
    return excerpt(kept.join(' '));
  }
}

/** `\x09` → tab, as Zeek writes the separator. */
function unescapeZeek(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** NDJSON records of Zeek's JSON writer. */
class ZeekJson {
  private warnedLabels = false;

  constructor(private readonly sink: RecordSink) {}

  async record(text: string, line: number): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const reason = `JSON line does not parse: ${(error as Error).message.slice(0, 120)}`;
      this.sink.badLine(line, reason, excerpt(withoutJsonLabels(text)));
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.sink.badLine(line, 'JSON line is not an object', excerpt(withoutJsonLabels(text)));
      return;
    }
    const record = parsed as Record<string, unknown>;
    const labels = Object.keys(record).filter((key) => isLabelColumn(key));
    if (labels.length > 0 && !this.warnedLabels) {
      this.warnedLabels = true;
      this.sink.warn(`label field(s) ${labels.join(', ')} dropped: ground truth is never stored`);
    }
    try {
      await emitBiflow(
        this.sink,
        line,
        toBiflow((name) => jsonValue(record, name)),
      );
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      for (const key of labels) delete record[key];
      this.sink.badLine(line, error.message, excerpt(JSON.stringify(record)));
    }
  }
}

/** A field of a Zeek JSON record: flat (`"id.orig_h"`) as Zeek writes it, or nested (`"id": {…}`). */
function jsonValue(record: Record<string, unknown>, name: string): Value {
  let value = record[name];
  if (value === undefined && name.startsWith('id.')) {
    const id = record.id;
    if (typeof id === 'object' && id !== null) value = (id as Record<string, unknown>)[name.slice(3)];
  }
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new RecordProblem(`${name} ${shown(JSON.stringify(value))} is neither a string nor a number`);
}

/** Cuts `"…label…": value` pairs out of JSON text that did not parse, for the bad-line excerpt. */
function withoutJsonLabels(text: string): string {
  return text.replace(/"[^"]*label[^"]*"\s*:\s*(?:"(?:[^"\\]|\\.)*"?|[^,}]*)/gi, '');
}
