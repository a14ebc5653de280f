import { DEFAULT_V2_FIELDS, vpcField } from './vpcFields.js';

/**
 * The AWS VPC Flow Logs text format: space-separated fields in the order the flow log was created
 * with, '-' for a missing value. S3 files begin with a header line naming the fields; CloudWatch
 * messages and console copies carry no header.
 */

/** Field names by position; null where the header names a field flowhawk does not know. */
export interface VpcLayout {
  readonly fields: readonly (string | null)[];
  /** names of the unknown fields, for the one warning the user gets about them */
  readonly unknown: readonly string[];
}

const FIELD_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
export const MAX_RECORD_CHARS = 8192;

/**
 * Reads a header line. Every token must look like a field name and at least one must be a known one;
 * otherwise it is a record, not a header.
 */
export function parseHeader(line: string): VpcLayout | undefined {
  const tokens = line.trim().split(/\s+/);
  if (tokens.length === 0 || !tokens.every((token) => FIELD_NAME.test(token))) return undefined;
  const known = tokens.map((token) => vpcField(token)?.name ?? null);
  if (known.every((name) => name === null)) return undefined;
  return { fields: known, unknown: tokens.filter((_, index) => known[index] === null) };
}

export function layoutFromNames(names: readonly string[]): VpcLayout {
  const layout = parseHeader(names.join(' '));
  if (!layout) throw new Error(`not a field list: ${names.join(' ')}`);
  return layout;
}

export const DEFAULT_V2_LAYOUT: VpcLayout = layoutFromNames(DEFAULT_V2_FIELDS);

export type SplitResult = { values: string[] } | { reason: string };

/**
 * Splits one record line, tolerating what people and AWS's own docs do to records: runs of spaces or
 * tabs, a trailing '#' comment, CRLF line ends.
 */
export function splitRecord(line: string, layout: VpcLayout): SplitResult {
  if (line.length > MAX_RECORD_CHARS) return { reason: `line longer than ${MAX_RECORD_CHARS} characters` };
  const hash = line.indexOf('#');
  const body = (hash === -1 ? line : line.slice(0, hash)).trim();
  if (body === '') return { reason: hash === -1 ? 'empty line' : 'comment line' };
  const values = body.split(/\s+/);
  if (values.length !== layout.fields.length) {
    return { reason: `${values.length} fields where the format has ${layout.fields.length}` };
  }
  return { values };
}

// What makes a chunk unsafe for the strict fast path (DuckDB's CSV reader with one space as
// delimiter): anything it would split or merge differently from splitRecord, or a line it would skip.
// Bytes that may never occur: non-ASCII, tab, CR, VT, FF, NUL and '#' (comments).
const UNSAFE_BYTE = new Uint8Array(256);
for (let byte = 0x80; byte < 0x100; byte++) UNSAFE_BYTE[byte] = 1;
for (const byte of [0x09, 0x0d, 0x0b, 0x0c, 0x00, 0x23]) UNSAFE_BYTE[byte] = 1;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * True when every line of `bytes` is plain ASCII with single spaces between fields, no blank lines and
 * no comments: DuckDB can then parse it directly and line numbers follow from row positions. One
 * pass: besides the bytes above, a space or newline may not follow a space or newline ("  ", "\n\n",
 * "\n ", " \n"), and the chunk may not start with either nor end with a space.
 */
export function isCleanChunk(bytes: Uint8Array): boolean {
  const length = bytes.length;
  if (length === 0 || bytes[length - 1] === SPACE) return false;
  // a chunk starts as if after a newline: a leading space or newline is refused below
  let previous = NEWLINE;
  for (let at = 0; at < length; at++) {
    const byte = bytes[at] as number;
    if (UNSAFE_BYTE[byte] === 1) return false;
    if ((byte === SPACE || byte === NEWLINE) && (previous === SPACE || previous === NEWLINE)) return false;
    previous = byte;
  }
  return true;
}
