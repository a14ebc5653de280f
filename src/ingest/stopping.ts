import { InterruptedError } from '../errors.js';
import type { DecodedStream } from '../readers/decodedStream.js';

/** Thrown into a reader when the run is stopped: the file it was reading is not kept. */
export class AbortedRead extends Error {}

/** The decoded stream, ending with AbortedRead at the first chunk after `signal` fires. */
export function abortable(stream: DecodedStream, signal: AbortSignal | undefined): DecodedStream {
  if (!signal) return stream;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream.chunks) {
      if (signal?.aborted) throw new AbortedRead();
      yield chunk;
    }
  }
  return { chunks: chunks(), damages: stream.damages, warnings: stream.warnings };
}

export function interrupted(
  signal: AbortSignal | undefined,
  stored: { files: number; records: number },
  total: number,
): InterruptedError {
  const name = typeof signal?.reason === 'string' ? signal.reason : 'SIGINT';
  return new InterruptedError(
    name,
    `stopped by ${name}: ${stored.files} of ${total} file(s) stored completely (${stored.records} records); the files not finished were removed`,
    'run the same command again: files already stored are skipped, the others are read',
  );
}
