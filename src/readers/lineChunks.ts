import { concatBytes } from './bytes.js';
import type { Damage } from './decodedStream.js';

/** A run of complete lines cut from a byte stream, with the number of its first line. */
export interface LineChunk {
  /** the lines, each ending with '\n' except possibly the last line of the stream */
  bytes: Uint8Array;
  /** 1-based number of the first line in the whole stream */
  firstLine: number;
  lineCount: number;
  /**
   * set when the chunk is no run of readable lines, saying why: one line that cannot be a record
   * (longer than MAX_LINE_BYTES, or cut short by gzip damage; `bytes` hold its start), or a point of
   * damage between two lines (lineCount 0, `bytes` empty)
   */
  broken?: string;
}

const NEWLINE = 0x0a;
export const TARGET_CHUNK_BYTES = 4 << 20;
/** No flow log record comes near this; past it a "line" is binary junk or a wrong file. */
export const MAX_LINE_BYTES = 1 << 20;

export function countLines(bytes: Uint8Array): number {
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

const OVERLONG = 'line longer than 1 MiB (binary data or not a flow log?)';
const EXCERPT_BYTES = 200;

/**
 * Regroups arbitrary byte chunks into chunks of whole lines of roughly TARGET_CHUNK_BYTES, so that
 * line numbers stay exact however the bytes arrived. `damages` (filled by the decoder as it goes,
 * offsets in `source`'s bytes) are cut out as broken chunks at the lines where they sit.
 */
export async function* lineChunks(
  source: AsyncIterable<Uint8Array>,
  targetBytes = TARGET_CHUNK_BYTES,
  damages: readonly Damage[] = [],
): AsyncGenerator<LineChunk> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // offset in the source of the first pending byte
  let pendingStart = 0;
  let nextLine = 1;
  let damageIndex = 0;
  // inside an over-long line: drop bytes until its newline
  let skipping = false;
  const lines = (bytes: Uint8Array): LineChunk => {
    const chunk = { bytes, firstLine: nextLine, lineCount: countLines(bytes) };
    nextLine += chunk.lineCount;
    return chunk;
  };
  const broken = (bytes: Uint8Array, lineCount: number, reason: string): LineChunk => {
    const chunk = { bytes, firstLine: nextLine, lineCount, broken: reason };
    nextLine += lineCount;
    return chunk;
  };
  /** The chunks of `bytes` (source offset `start`), damages split out. */
  function* emit(bytes: Uint8Array, start: number): Generator<LineChunk> {
    let rest = bytes;
    let restStart = start;
    for (let damage = damages[damageIndex]; damage && damage.at <= restStart + rest.length; ) {
      const at = Math.max(0, damage.at - restStart);
      if (damage.cut && at > 0) {
        // the decoder ended the fragment with a '\n' of its own at at - 1
        const from = rest.lastIndexOf(NEWLINE, at - 2) + 1;
        if (from > 0) yield lines(rest.subarray(0, from));
        yield broken(
          rest.subarray(from, Math.min(at - 1, from + EXCERPT_BYTES)),
          1,
          `${damage.reason} (this line was cut short by it)`,
        );
      } else {
        if (at > 0) yield lines(rest.subarray(0, at));
        yield broken(new Uint8Array(0), 0, damage.reason);
      }
      rest = rest.subarray(at);
      restStart += at;
      damage = damages[++damageIndex];
    }
    if (rest.length > 0) yield lines(rest);
  }
  for await (let piece of source) {
    if (skipping) {
      const end = piece.indexOf(NEWLINE);
      if (end === -1) {
        pendingStart += piece.length;
        continue;
      }
      skipping = false;
      pendingStart += end + 1;
      piece = piece.subarray(end + 1);
    }
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes < targetBytes) continue;
    const joined = concatBytes(pending, pendingBytes);
    const cut = joined.lastIndexOf(NEWLINE);
    if (cut === -1) {
      if (joined.length <= MAX_LINE_BYTES) {
        pending = [joined];
        continue;
      }
      yield broken(joined.subarray(0, EXCERPT_BYTES), 1, OVERLONG);
      pendingStart += joined.length;
      pending = [];
      pendingBytes = 0;
      skipping = true;
      continue;
    }
    yield* emit(joined.subarray(0, cut + 1), pendingStart);
    const rest = joined.subarray(cut + 1);
    pendingStart += cut + 1;
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
  }
  yield* emit(concatBytes(pending, pendingBytes), pendingStart);
}
