/** A run of complete lines cut from a byte stream, with the number of its first line. */
export interface LineChunk {
  /** the lines, each ending with '\n' except possibly the last line of the stream */
  bytes: Buffer;
  /** 1-based number of the first line in the whole stream */
  firstLine: number;
  lineCount: number;
  /** set when the chunk is a single line longer than MAX_LINE_BYTES: `bytes` holds only its start */
  overlong?: true;
}

const NEWLINE = 0x0a;
export const TARGET_CHUNK_BYTES = 4 << 20;
/** No flow log record comes near this; past it a "line" is binary junk or a wrong file. */
export const MAX_LINE_BYTES = 1 << 20;

export function countLines(bytes: Buffer): number {
  let count = 0;
  let at = bytes.indexOf(NEWLINE);
  while (at !== -1) {
    count++;
    at = bytes.indexOf(NEWLINE, at + 1);
  }
  // a last line without its newline still counts
  if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) count++;
  return count;
}

/**
 * Regroups arbitrary byte chunks into chunks of whole lines of roughly TARGET_CHUNK_BYTES, so that
 * line numbers stay exact however the bytes arrived.
 */
export async function* lineChunks(
  source: AsyncIterable<Buffer>,
  targetBytes = TARGET_CHUNK_BYTES,
): AsyncGenerator<LineChunk> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let nextLine = 1;
  // inside an over-long line: drop bytes until its newline
  let skipping = false;
  const emit = (bytes: Buffer): LineChunk => {
    const chunk = { bytes, firstLine: nextLine, lineCount: countLines(bytes) };
    nextLine += chunk.lineCount;
    return chunk;
  };
  for await (let piece of source) {
    if (skipping) {
      const end = piece.indexOf(NEWLINE);
      if (end === -1) continue;
      skipping = false;
      piece = piece.subarray(end + 1);
    }
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes < targetBytes) continue;
    const joined = Buffer.concat(pending, pendingBytes);
    const cut = joined.lastIndexOf(NEWLINE);
    if (cut === -1) {
      if (joined.length <= MAX_LINE_BYTES) {
        pending = [joined];
        continue;
      }
      yield { bytes: joined.subarray(0, 200), firstLine: nextLine++, lineCount: 1, overlong: true };
      pending = [];
      pendingBytes = 0;
      skipping = true;
      continue;
    }
    yield emit(joined.subarray(0, cut + 1));
    const rest = joined.subarray(cut + 1);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
  }
  if (pendingBytes > 0) yield emit(Buffer.concat(pending, pendingBytes));
}
