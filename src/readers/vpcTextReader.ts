import { byteText, utf8Text } from './bytes.js';
import type { DecodedStream } from './decodedStream.js';
import { defineReader } from './defineReader.js';
import { lineChunks } from './lineChunks.js';
import type { RecordSink } from './recordSink.js';
import { DEFAULT_V2_LAYOUT, isCleanChunk, parseHeader, splitRecord, type VpcLayout } from './vpcText.js';

export interface VpcTextOptions {
  /** field order for input without a header line (CloudWatch messages, console copies) */
  layout?: VpcLayout;
}

export const vpcTextReader = defineReader({
  id: 'vpc-text',
  describe: [
    'AWS VPC Flow Logs as S3 delivers them: a header naming the fields (versions 2-8, any order), gzip or plain',
    'without a header: the default v2 format, or the order given with --fields',
  ],
  // last in the list: a header line, or a first line that splits as a record of the layout
  sniff: ({ line, layout }) =>
    parseHeader(line) !== undefined ||
    (line !== '' && 'values' in splitRecord(line, layout ?? DEFAULT_V2_LAYOUT)),
  readText: (stream, sink, { layout }) => readVpcText(stream, sink, { layout }),
});

const EXCERPT_CHARS = 120;

/**
 * Reads VPC flow log text: an optional header line, then records. Clean stretches go to the sink
 * as whole chunks; anything unusual is split line by line so that every line is accounted for as a
 * record, a header or a bad line with its number.
 */
export async function readVpcText(decoded: DecodedStream, sink: RecordSink, options: VpcTextOptions = {}) {
  let layout: VpcLayout | undefined = options.layout;
  const warned = new Set<string>();
  const adopt = (next: VpcLayout) => {
    layout = next;
    const unknown = next.unknown.filter((name) => !warned.has(name));
    if (unknown.length > 0) {
      for (const name of unknown) warned.add(name);
      sink.warn(`unknown field(s) ${unknown.join(', ')} skipped (values not stored)`);
    }
  };

  for await (const chunk of lineChunks(decoded.chunks, undefined, decoded.damages)) {
    if (chunk.broken !== undefined) {
      sink.badLine(chunk.firstLine, chunk.broken, excerpt(chunk.bytes));
      continue;
    }
    let { bytes, firstLine, lineCount } = chunk;
    if (firstLine === 1) {
      const end = bytes.indexOf(0x0a);
      const header = parseHeader(byteText(bytes.subarray(0, end === -1 ? bytes.length : end)));
      if (header) {
        adopt(header);
        sink.header(1);
        bytes = bytes.subarray(end === -1 ? bytes.length : end + 1);
        firstLine = 2;
        lineCount--;
      }
    }
    if (lineCount === 0) continue;
    if (layout && isCleanChunk(bytes)) {
      await sink.cleanChunk(layout, firstLine, lineCount, bytes);
      continue;
    }
    layout = await readLines(bytes, firstLine, layout, sink, adopt);
  }
  for (const warning of decoded.warnings) sink.warn(warning);
}

/** The careful path, one line at a time; returns the layout in force at the end. */
export async function readLines(
  bytes: Uint8Array,
  firstLine: number,
  initial: VpcLayout | undefined,
  sink: RecordSink,
  adopt: (layout: VpcLayout) => void = () => undefined,
): Promise<VpcLayout | undefined> {
  let layout = initial;
  const lines = utf8Text(bytes).split('\n');
  // the chunk's final '\n' leaves one empty string that is no line
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] as string;
    const line = firstLine + index;
    const head = text.charCodeAt(0);
    if (head >= 0x61 && head <= 0x7a) {
      // a lowercase start may be a header repeated by concatenation, possibly of another format
      const header = parseHeader(text);
      if (header && !/\d/.test(text.split(/\s+/, 1)[0] ?? '')) {
        adopt(header);
        layout = header;
        sink.header(line);
        continue;
      }
    }
    if (!layout) {
      sink.badLine(line, 'record before any header line, and no field list given (--fields)', excerpt(text));
      continue;
    }
    const split = splitRecord(text, layout);
    if ('reason' in split) sink.badLine(line, split.reason, excerpt(text));
    else await sink.row(layout, line, split.values);
  }
  return layout;
}

function excerpt(text: string | Uint8Array): string {
  const shown = typeof text === 'string' ? text : byteText(text);
  return shown.slice(0, EXCERPT_CHARS).replace(/[^\x20-\x7e]/g, '?');
}
