import { byteText, utf8Text } from './bytes.js';
import type { DecodedStream } from './decodedStream.js';
import { lineChunks } from './lineChunks.js';
import type { RecordSink } from './recordSink.js';

const EXCERPT_CHARS = 120;

/**
 * Calls `onLine` for every line of a decoded text input with its 1-based number, a CRLF's '\r'
 * removed. The lines it cannot hand over are reported to the sink as bad lines, so that a reader
 * built on it accounts for every line: an over-long line (binary data, a wrong file), a line cut short
 * by gzip damage, and the points of damage themselves.
 */
export async function forEachLine(
  decoded: DecodedStream,
  sink: RecordSink,
  onLine: (text: string, line: number) => Promise<void>,
): Promise<void> {
  for await (const chunk of lineChunks(decoded.chunks, undefined, decoded.damages)) {
    if (chunk.broken !== undefined) {
      sink.badLine(chunk.firstLine, chunk.broken, excerpt(byteText(chunk.bytes)));
      continue;
    }
    const lines = utf8Text(chunk.bytes).split('\n');
    // the chunk's final '\n' leaves one empty string that is no line
    if (lines[lines.length - 1] === '') lines.pop();
    for (let index = 0; index < lines.length; index++) {
      const text = lines[index] as string;
      await onLine(text.endsWith('\r') ? text.slice(0, -1) : text, chunk.firstLine + index);
    }
  }
  for (const warning of decoded.warnings) sink.warn(warning);
}

/** The start of a line for the bad-line report, printable ASCII only. */
export function excerpt(text: string): string {
  return text.slice(0, EXCERPT_CHARS).replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Ground truth must never reach the store: label columns are dropped by every reader, and their
 * values are cut from bad-line excerpts too. Any column whose name contains "label" counts
 * (Stratosphere's `label`/`detailedlabel`, CTU-13's `Label`, …).
 */
export function isLabelColumn(name: string): boolean {
  return /label/i.test(name);
}

/**
 * The cells of a bad record that may be shown, label cells left out. When the record has fewer cells
 * than the header names, values have shifted left and a label may sit before its column: only the
 * cells before the first label column, less the shift, are kept (and none past the header's width).
 */
export function cellsWithoutLabels(
  cells: readonly string[],
  width: number,
  labels: ReadonlySet<number>,
): readonly string[] {
  if (cells.length === width) return cells.filter((_, at) => !labels.has(at));
  const first = labels.size > 0 ? Math.min(...labels) : width;
  return cells.slice(0, Math.max(0, first - Math.max(0, width - cells.length)));
}
