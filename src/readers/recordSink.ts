import type { VpcLayout } from './vpcText.js';

/**
 * Where readers put what they read. Readers know nothing of the store: they split input into records
 * in a VPC field layout and account for every line; the ingest step decides where the records go.
 */
export interface RecordSink {
  /** lines known to be clean (isCleanChunk) in `layout`: the fast path */
  cleanChunk(layout: VpcLayout, firstLine: number, lineCount: number, bytes: Uint8Array): Promise<void>;
  /** one record the reader split itself; values line up with layout.fields */
  row(layout: VpcLayout, line: number, values: readonly string[]): Promise<void>;
  /** a line that is no record: what was wrong, and its start for the user to see */
  badLine(line: number, reason: string, excerpt: string): void;
  /** a header line (counted, so every line is accounted for) */
  header(line: number): void;
  /** something the user should hear about once, e.g. unknown field names */
  warn(message: string): void;
}
