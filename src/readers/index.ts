import { argusReader } from './argusBinetflow.js';
import { cloudwatchExportReader, cloudwatchJsonReader } from './cloudwatch.js';
import type { ReaderDefinition } from './defineReader.js';
import { parquetReader } from './parquetFormat.js';
import { vpcTextReader } from './vpcTextReader.js';
import { zeekConnReader } from './zeekConn.js';

/**
 * Every input format, in the order their sniffs are tried: binary magic first, then the text formats
 * whose first line is most specific (Zeek's JSON lines before JSON in general), VPC text last, since
 * its header-less form accepts any line that splits into fields. Adding a format is its card (see
 * defineReader.ts) in its reader's file, plus one line here.
 */
export const READERS = [
  parquetReader,
  zeekConnReader,
  cloudwatchJsonReader,
  argusReader,
  cloudwatchExportReader,
  vpcTextReader,
] as const;

/** What an input is, as the readers tell it; `unknown` when no reader claims it. */
export type InputFormat = (typeof READERS)[number]['id'] | 'unknown';

export function readerFor(format: InputFormat): ReaderDefinition | undefined {
  return READERS.find((r) => r.id === format);
}

/** The formats whose lines are connections already (see engine/connections.ts). */
export const CONNECTION_LOG_FORMATS: readonly InputFormat[] = READERS.filter(
  (r: ReaderDefinition) => r.connectionLog === true,
).map((r) => r.id);
