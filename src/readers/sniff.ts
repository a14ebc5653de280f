import { DEFAULT_V2_LAYOUT, parseHeader, splitRecord, type VpcLayout } from './vpcText.js';

export type InputFormat =
  | 'vpc-text'
  | 'cloudwatch-export'
  | 'json'
  | 'parquet'
  | 'zeek-conn'
  | 'argus-binetflow'
  | 'unknown';

const PARQUET_MAGIC = Buffer.from('PAR1');
/**
 * CloudWatch Logs exports put the event time before each message (`2023-01-01T00:00:00.000Z …`);
 * `aws logs tail --format short` prints it without fraction or zone.
 */
export const CLOUDWATCH_EXPORT_LINE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})? /;

const ZEEK_JSON_KEY = /"id\.orig_h"\s*:|"id"\s*:\s*\{\s*"orig_h"\s*:/;
/** Argus CSV (`ra -c ,`): the CTU-13 column set begins so; other sets at least name both addresses. */
const ARGUS_HEADER = /^StartTime,(?:Dur,Proto,SrcAddr|.*\bSrcAddr\b.*\bDstAddr\b)/;

/**
 * Decides what an input is from its bytes, never its name: `raw` is the start of the file as stored,
 * `head` the start after decompression.
 */
export function sniffFormat(raw: Buffer, head: Buffer, layout?: VpcLayout): InputFormat {
  if (raw.subarray(0, 4).equals(PARQUET_MAGIC)) return 'parquet';
  const text = head.toString('utf8', 0, Math.min(head.length, 16 * 1024));
  const first = text.trimStart();
  const line = first.split('\n', 1)[0] ?? '';
  // Zeek TSV logs open with their separator; Zeek's JSON writer keys the connection as "id.orig_h"
  if (line.startsWith('#separator')) return 'zeek-conn';
  if (line.startsWith('{') && ZEEK_JSON_KEY.test(line)) return 'zeek-conn';
  if (first.startsWith('{') || first.startsWith('[')) return 'json';
  if (ARGUS_HEADER.test(line)) return 'argus-binetflow';
  if (CLOUDWATCH_EXPORT_LINE.test(line)) return 'cloudwatch-export';
  if (parseHeader(line)) return 'vpc-text';
  if (line !== '' && 'values' in splitRecord(line, layout ?? DEFAULT_V2_LAYOUT)) return 'vpc-text';
  return 'unknown';
}
