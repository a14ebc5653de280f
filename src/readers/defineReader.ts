import type { DecodedStream } from './decodedStream.js';
import type { RecordSink } from './recordSink.js';
import type { VpcLayout } from './vpcText.js';

/** The start of an input, as every reader's sniff sees it. */
export interface SniffInput {
  /** the first bytes as stored (before decompression) */
  raw: Uint8Array;
  /** the first bytes after decompression */
  head: Uint8Array;
  /** `head` as text (at most 16 KiB), leading blanks trimmed */
  first: string;
  /** the first line of `first` */
  line: string;
  /** the field order given for inputs without a header line, if any */
  layout?: VpcLayout;
}

export interface ReadOptions {
  /** field order for records without a header (the default v2 format unless --fields gave one) */
  layout: VpcLayout;
  /** minutes east of UTC of zone-less times (Argus) */
  utcOffsetMinutes?: number;
}

/**
 * One input format, as a card: what `flowhawk formats` says of it, how it is recognised (from the
 * bytes, never the name) and how its decoded text becomes records. The list in readers/index.ts is
 * tried in order; the first whose sniff says yes reads the file.
 */
export interface ReaderDefinition<Id extends string = string> {
  readonly id: Id;
  /** one line for `flowhawk formats`; more lines for variants (e.g. VPC text without a header) */
  readonly describe: readonly string[];
  sniff(input: SniffInput): boolean;
  /** decoded text → records; absent for a binary format the ingest loads itself (Parquet) */
  readonly readText?: (stream: DecodedStream, sink: RecordSink, options: ReadOptions) => Promise<void>;
  /** every line is one connection already (the sensor sessionised): its rows pair only with each other */
  readonly connectionLog?: boolean;
}

export function defineReader<const Id extends string>(reader: ReaderDefinition<Id>): ReaderDefinition<Id> {
  return reader;
}
