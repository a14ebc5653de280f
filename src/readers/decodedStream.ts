import { concatBytes } from './bytes.js';

/**
 * A point in the decoded bytes where gzip damage ends the good data: the decoder keeps every byte
 * decoded before it, and goes on at the next intact member when there is one.
 */
export interface Damage {
  /** offset in the decoded bytes where the damage sits (the start of what comes after it) */
  at: number;
  /**
   * the damage cut a line short: the decoder ended that line with a '\n' it inserted, so the line
   * ending at `at` is a fragment, not a record
   */
  cut: boolean;
  reason: string;
}

/**
 * The decompressed bytes of an input, and what decoding found on the way: what a reader parses.
 * Ingest makes it (opening files, objects or standard input, and gunzipping them); readers only
 * consume it, which keeps them free of any file or compression API.
 */
export interface DecodedStream {
  chunks: AsyncIterable<Uint8Array>;
  /** gzip damage in the decoded bytes, in order; complete once `chunks` is exhausted */
  readonly damages: readonly Damage[];
  /** notes that cost no line (trailing garbage ignored, …); complete once `chunks` is exhausted */
  readonly warnings: readonly string[];
}

/**
 * Reads the first decoded bytes (at least `bytes` of them, unless the input is shorter) without
 * consuming them: the returned stream yields everything, head included.
 */
export async function peek(
  decoded: DecodedStream,
  bytes = 64 * 1024,
): Promise<{ head: Uint8Array; stream: DecodedStream }> {
  const iterator = decoded.chunks[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    size += next.value.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return {
    head: concatBytes(taken, size),
    stream: { chunks: replay(), damages: decoded.damages, warnings: decoded.warnings },
  };
}
