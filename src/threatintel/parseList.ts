import ipaddr from 'ipaddr.js';
import { addressValue, cidrRange, IPV4_MAPPED_BASE } from '../net/addresses.js';
import type { ListProblem } from '../report.js';

/**
 * Threat-list text → address ranges. Three shapes, told apart by content (and a `.csv` name):
 * - plain text: one IPv4/IPv6 address, CIDR or `first-last` range per line; `#` and `;` start comments
 *   (Spamhaus DROP writes `1.10.16.0/20 ; SBL256894`), anything after the first word is ignored;
 * - CSV: the column named ip, ip_address, dst_ip, indicator, cidr, address or network, else the first;
 *   a header may sit in a comment line (abuse.ch Feodo Tracker writes `# first_seen_utc,dst_ip,…`);
 * - JSON: a STIX 2.x bundle, whose `indicator` objects with `[ipv4-addr:value = '…']` or
 *   `[ipv6-addr:value ISSUBSET '…/64']` patterns give addresses (other indicators are not about
 *   addresses and are counted as ignored), or an array of strings or of objects with an `ip` field.
 * A bad entry is a problem (where, text, reason), never an exception.
 */

export interface ParsedEntry {
  /** the entry as the list writes it */
  entry: string;
  /** first and last address, 128-bit, IPv4 mapped into ::ffff:0:0/96 like addresses.ip */
  lo: bigint;
  hi: bigint;
}

export interface ParsedList {
  entries: ParsedEntry[];
  problems: ListProblem[];
  /** STIX indicators about something other than an address (domains, URLs, hashes), or revoked */
  ignored: number;
}

/**
 * Entries wider than this are refused: a list line of 0.0.0.0/0 or 224.0.0.0/3 (FireHOL's bogons)
 * would name a large part of the internet, not a threat. /8 is the widest block a registry allocates.
 */
export const MAX_ENTRY_ADDRESSES_V4 = 2n ** 24n;
/** IPv6 counterpart: /16, wider than any allocation (registries hand out /12 at most to each other). */
export const MAX_ENTRY_ADDRESSES_V6 = 2n ** 112n;

const COLUMN_NAMES = ['ip', 'ip_address', 'ipaddress', 'dst_ip', 'indicator', 'cidr', 'address', 'network'];
const JSON_FIELDS = ['ip', 'ip_address', 'indicator', 'cidr', 'address', 'value'];
/** shown entries and problem texts are cut to this many characters */
const SHOWN_CHARS = 80;
/** `first-last`, spaces allowed around the dash; address characters only, so a hyphenated word is no range */
const RANGE = /^([0-9A-Fa-f.:]+)\s*-\s*([0-9A-Fa-f.:]+)$/;
const RANGE_START = /^[0-9A-Fa-f.:]+\s*-\s*[0-9A-Fa-f.:]+(?=\s|$)/;

export function parseThreatList(text: string, name = ''): ParsedList {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') return parseJson(body);
  const lines = body.split(/\r?\n/);
  const firstData = lines.map(uncommented).find((l) => l !== '') ?? '';
  const csv = /\.csv(\?|$)/i.test(name) || firstData.includes(',');
  return csv ? parseCsv(lines) : parseText(lines);
}

/** One entry: an address, a CIDR, `first-last`, or IPv4 `address:port` (the port is dropped). */
export function parseEntry(raw: string): ParsedEntry | string {
  const text = raw.trim();
  if (text === '') return 'empty entry';
  const dash = text.match(RANGE);
  if (dash?.[1] && dash[2]) {
    const [from, to] = [
      addressValue(strictAddress(dash[1]) ?? ''),
      addressValue(strictAddress(dash[2]) ?? ''),
    ];
    if (from === undefined || to === undefined) return 'not an address range (write first-last)';
    if (isV4(from) !== isV4(to)) return 'the range mixes IPv4 and IPv6';
    if (from > to) return 'the range ends before it starts';
    return bounded({ entry: text, lo: from, hi: to });
  }
  const withoutPort = text.match(/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/)?.[1] ?? text;
  const [address, bits, extra] = withoutPort.split('/');
  if (extra !== undefined || strictAddress(address ?? '') === undefined) {
    return 'not an IPv4 or IPv6 address or CIDR';
  }
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return 'not a prefix length after /';
  try {
    const { lo, hi } = cidrRange(withoutPort, 'threat list');
    return bounded({ entry: withoutPort, lo, hi });
  } catch {
    return 'the prefix length is out of range';
  }
}

/** The address when it is written the usual way (four decimal octets, or IPv6 without a zone). */
function strictAddress(text: string): string | undefined {
  if (text.includes(':')) return ipaddr.IPv6.isValid(text) && !text.includes('%') ? text : undefined;
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? text : undefined;
}

const isV4 = (value: bigint) => value >= IPV4_MAPPED_BASE && value < IPV4_MAPPED_BASE + 2n ** 32n;

function bounded(entry: ParsedEntry): ParsedEntry | string {
  const size = entry.hi - entry.lo + 1n;
  const limit = isV4(entry.lo) ? MAX_ENTRY_ADDRESSES_V4 : MAX_ENTRY_ADDRESSES_V6;
  return size > limit ? 'wider than /8 (IPv6: /16): it would name a large part of the internet' : entry;
}

const emptyList = (): ParsedList => ({ entries: [], problems: [], ignored: 0 });

function add(list: ParsedList, where: string, raw: string): void {
  const parsed = parseEntry(raw);
  if (typeof parsed === 'string') list.problems.push({ where, text: shown(raw), reason: parsed });
  else list.entries.push({ ...parsed, entry: shown(parsed.entry) });
}

/** Cut, and control characters blanked: a feed must not write terminal escapes into our warnings. */
const shown = (text: string) => {
  const clean = Array.from(text.trim(), (ch) => (ch < ' ' || ch === '\u007f' ? ' ' : ch)).join('');
  return clean.length > SHOWN_CHARS ? `${clean.slice(0, SHOWN_CHARS)}…` : clean;
};

const uncommented = (line: string) => line.replace(/[#;].*$/, '').trim();

function parseText(lines: readonly string[]): ParsedList {
  const list = emptyList();
  lines.forEach((line, i) => {
    const content = uncommented(line);
    // the entry is the first word, or a `first - last` range written with spaces
    const entry = content.match(RANGE_START)?.[0] ?? content.split(/\s+/)[0] ?? '';
    if (content !== '') add(list, `line ${i + 1}`, entry);
  });
  return list;
}

function parseCsv(lines: readonly string[]): ParsedList {
  const list = emptyList();
  let column: number | undefined;
  lines.forEach((line, i) => {
    const comment = /^\s*[#;]/.test(line);
    const fields = splitCsv(comment ? line.replace(/^\s*[#;]\s*/, '') : line);
    const names = fields.map((f) => f.trim().toLowerCase());
    const named = COLUMN_NAMES.map((n) => names.indexOf(n)).find((index) => index >= 0);
    if (column === undefined && named !== undefined) {
      column = named;
      return;
    }
    if (comment || line.trim() === '') return;
    if (column === undefined) {
      column = 0;
      // a header row without a known name: its first field is a word, not an address
      if (!/\d/.test(fields[0] ?? '')) return;
    }
    add(list, `line ${i + 1}`, fields[column] ?? '');
  });
  return list;
}

/** RFC 4180 fields of one line: commas, double quotes, "" inside quotes. */
export function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

function parseJson(text: string): ParsedList {
  const list = emptyList();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    list.problems.push({ where: 'file', text: '', reason: `not valid JSON: ${(error as Error).message}` });
    return list;
  }
  if (Array.isArray(doc)) {
    doc.forEach((item, i) => {
      const value = typeof item === 'string' ? item : jsonField(item);
      if (value === undefined) {
        list.problems.push({
          where: `[${i}]`,
          text: shown(JSON.stringify(item) ?? ''),
          reason: `neither a string nor an object with ${JSON_FIELDS.join('/')}`,
        });
      } else add(list, `[${i}]`, value);
    });
    return list;
  }
  const objects = (doc as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objects)) {
    list.problems.push({
      where: 'file',
      text: '',
      reason: 'neither a STIX bundle (an object with "objects") nor a JSON array',
    });
    return list;
  }
  objects.forEach((object, i) => {
    stixIndicator(object, `objects[${i}]`, list);
  });
  return list;
}

function jsonField(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  const value = JSON_FIELDS.map((f) => record[f]).find((v) => typeof v === 'string');
  return value as string | undefined;
}

const STIX_ADDRESS = /\b(?:ipv4-addr|ipv6-addr):value\s*(?:=|ISSUBSET)\s*'((?:[^'\\]|\\.)*)'/gi;

function stixIndicator(object: unknown, where: string, list: ParsedList): void {
  const o = object as { type?: unknown; pattern?: unknown; pattern_type?: unknown; revoked?: unknown };
  if (o?.type !== 'indicator') return;
  const pattern = typeof o.pattern === 'string' ? o.pattern : '';
  const values = [...pattern.matchAll(STIX_ADDRESS)].map((m) => m[1] ?? '');
  if (
    o.revoked === true ||
    (o.pattern_type !== undefined && o.pattern_type !== 'stix') ||
    values.length === 0
  ) {
    list.ignored++;
    return;
  }
  if (/\b(AND|FOLLOWEDBY)\b/.test(pattern)) {
    list.problems.push({
      where,
      text: shown(pattern),
      reason:
        'the address is combined with other conditions (AND); only address patterns joined by OR are used',
    });
    return;
  }
  for (const value of values) add(list, where, value);
}
