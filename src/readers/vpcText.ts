import { isAscii } from 'node:buffer';
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

// Byte patterns that make a chunk unsafe for the strict fast path (DuckDB's CSV reader with one
// space as delimiter): it would merge or split fields differently from splitRecord, or skip lines.
const UNSAFE_PATTERNS = ['  ', '\t', '\r', '\v', '\f', '#', '\n\n', '\n ', ' \n', '\0'].map((text) =>
  Buffer.from(text),
);

/**
 * True when every line of `bytes` is plain ASCII with single spaces between fields, no blank lines and
 * no comments: DuckDB can then parse it directly and line numbers follow from row positions.
 */
export function isCleanChunk(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes[0] === 0x0a || bytes[0] === 0x20) return false;
  if (bytes[bytes.length - 1] === 0x20) return false;
  if (!isAscii(bytes)) return false;
  return UNSAFE_PATTERNS.every((pattern) => bytes.indexOf(pattern) === -1);
}
