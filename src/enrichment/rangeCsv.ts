import { readFileSync } from 'node:fs';
import { type RangeTable, RangeTableBuilder } from './rangeTable.js';

/** A range table read from a CSV file, and what was wrong with the lines it left out. */
export interface RangeCsv {
  table: RangeTable;
  /** Lines overlapping or out of order, or with an unreadable range or value. */
  skipped: number;
  /** `file:line` of the first skipped line, to look at. */
  firstSkipped?: string;
}

/**
 * Reads the third field onwards of one line, characters `from` to `to` of `text` (the file decoded as
 * latin1, so that character positions are byte positions and `bytes.toString('utf8', from, to)` gives
 * a name as written), and returns the number to store for the range, or undefined to skip the line.
 */
export type RangeValue = (text: string, from: number, to: number, bytes: Buffer) => number | undefined;

/**
 * Reads a `start,end,value…` CSV of inclusive ranges with numeric addresses (ip-location-db's `-num`
 * files: IPv4 as 32-bit numbers, IPv6 as 128-bit decimal numbers) into a RangeTable. Adjacent ranges
 * with the same value are merged; lines that overlap the previous one are skipped and counted, so a
 * flaw in a third-party file costs that range and not the whole lookup.
 *
 * A scanner rather than a CSV library: the first two fields are plain digits, all quoting is in the
 * last field (which `value` reads), and 500,000 lines must load in a fraction of a second. IPv4
 * addresses stay plain numbers; IPv6 ones are bigints only while their line is read.
 */
export function readRangeCsv(path: string, width: 1 | 4, value: RangeValue): RangeCsv {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1');
  return width === 1
    ? scan(path, text, bytes, new RangeTableBuilder(1, countLines(text)), value, v4Codec)
    : scan(path, text, bytes, new RangeTableBuilder(4, countLines(text)), value, v6Codec);
}

/** How one address family reads a decimal field and turns it into table words. */
interface Codec<T extends number | bigint> {
  /** The number in `text` from `from` to `to`, or undefined when it is not digits or out of range. */
  parse(text: string, from: number, to: number): T | undefined;
  next(address: T): T;
  toWords(address: T, words: Uint32Array): void;
}

const v4Codec: Codec<number> = {
  parse(text, from, to) {
    if (to <= from || to - from > 10) return undefined;
    let n = 0;
    for (let i = from; i < to; i++) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      n = n * 10 + digit;
    }
    return n <= 0xffffffff ? n : undefined;
  },
  next: (address) => address + 1,
  toWords(address, words) {
    words[0] = address;
  },
};

const V6_MAX = (1n << 128n) - 1n;
const WORD = 0xffffffffn;

const v6Codec: Codec<bigint> = {
  parse(text, from, to) {
    if (to <= from || to - from > 39) return undefined;
    for (let i = from; i < to; i++) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
    }
    const n = BigInt(text.slice(from, to));
    return n <= V6_MAX ? n : undefined;
  },
  next: (address) => address + 1n,
  toWords(address, words) {
    words[0] = Number(address >> 96n);
    words[1] = Number((address >> 64n) & WORD);
    words[2] = Number((address >> 32n) & WORD);
    words[3] = Number(address & WORD);
  },
};

function scan<T extends number | bigint>(
  path: string,
  text: string,
  bytes: Buffer,
  builder: RangeTableBuilder,
  value: RangeValue,
  codec: Codec<T>,
): RangeCsv {
  const startWords = new Uint32Array(builder.width);
  const endWords = new Uint32Array(builder.width);
  let pending: { start: T; end: T; value: number } | undefined;
  const flush = () => {
    if (!pending) return;
    codec.toWords(pending.start, startWords);
    codec.toWords(pending.end, endWords);
    builder.add(startWords, endWords, pending.value);
  };
  let skipped = 0;
  let firstSkipped: string | undefined;
  let lineNumber = 0;
  for (let at = 0; at < text.length; ) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = text.length;
    const lineStart = at;
    const lineEnd = eol > at && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    at = eol + 1;
    lineNumber++;
    if (lineEnd === lineStart) continue;
    const c1 = text.indexOf(',', lineStart);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const start = c1 < 0 ? undefined : codec.parse(text, lineStart, c1);
    const end = c2 < 0 || c2 > lineEnd ? undefined : codec.parse(text, c1 + 1, c2);
    const v = start === undefined || end === undefined ? undefined : value(text, c2 + 1, lineEnd, bytes);
    if (
      start === undefined ||
      end === undefined ||
      v === undefined ||
      start > end ||
      (pending && start <= pending.end)
    ) {
      skipped++;
      firstSkipped ??= `${path}:${lineNumber}`;
      continue;
    }
    if (pending && pending.value === v && codec.next(pending.end) === start) {
      pending.end = end;
    } else {
      flush();
      pending = { start, end, value: v };
    }
  }
  flush();
  return { table: builder.build(), skipped, ...(firstSkipped ? { firstSkipped } : {}) };
}

/** Capacity for the builder, so its arrays are sized once. */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
