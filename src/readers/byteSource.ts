import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Where an input comes from: a file path, or '-' for standard input. */
export type InputPath = string;

export const GZIP_MAGIC = [0x1f, 0x8b] as const;
const READ_CHUNK = 1 << 20;

export function isGzip(head: Uint8Array): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

export function openRaw(path: InputPath): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: READ_CHUNK });
}

/** The decompressed bytes of an input, and how the stream ended. */
export interface DecodedStream {
  chunks: AsyncIterable<Buffer>;
  /** set once `chunks` is exhausted: why decoding stopped early, if it did */
  readonly failure: () => string | undefined;
}

/**
 * Thrown by a capped DecodedStream once more than `maxBytes` have come out: the reader stops there,
 * so a gzip bomb costs the cap in memory and time, not its full size.
 */
export class DecodedSizeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes decoded`);
    this.name = 'DecodedSizeError';
  }
}

/**
 * Yields the bytes of `raw`, gunzipped when they start with the gzip magic (the file name is not
 * trusted: AWS names are .log.gz, users rename and decompress files). A truncated or corrupt gzip
 * stream ends the iteration normally with `failure()` set, after every byte that could be decoded.
 * With `maxBytes`, iteration throws a DecodedSizeError as soon as the decoded bytes exceed it.
 */
export function decodeStream(raw: Readable, maxBytes?: number): DecodedStream {
  let failure: string | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    if (first.done) return;
    let head: Buffer = first.value;
    // a first chunk shorter than the magic (a pipe may deliver one byte) must not hide a gzip stream
    while (head.length < GZIP_MAGIC.length) {
      const next = await iterator.next();
      if (next.done) break;
      head = Buffer.concat([head, next.value as Buffer]);
    }
    const rest = async function* () {
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value as Buffer;
      }
    };
    if (!isGzip(head)) {
      yield* rest();
      return;
    }
    const gunzip = createGunzip({ chunkSize: READ_CHUNK });
    const source = Readable.from(rest(), { objectMode: false });
    // pipe, not a hand-written feeder: when gunzip fails, pipe stops feeding instead of waiting on 'drain'
    source.pipe(gunzip);
    try {
      for await (const out of gunzip) yield out as Buffer;
    } catch (error) {
      failure = describeGzipError(error as NodeJS.ErrnoException);
    } finally {
      source.unpipe(gunzip);
      source.destroy();
      raw.destroy();
    }
  }
  const decoded = chunks();
  return {
    chunks: maxBytes === undefined ? decoded : capped(decoded, maxBytes, raw),
    failure: () => failure,
  };
}

async function* capped(chunks: AsyncGenerator<Buffer>, maxBytes: number, raw: Readable) {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > maxBytes) {
      // leaving the loop returns `chunks`, which destroys gunzip; plain input never reaches its
      // end, so its file descriptor must be released here
      raw.destroy();
      throw new DecodedSizeError(maxBytes);
    }
    yield chunk;
  }
}

function describeGzipError(error: NodeJS.ErrnoException): string {
  if (error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)) {
    return 'gzip stream truncated: the file ends mid-stream (incomplete download or copy?)';
  }
  return `gzip stream corrupt (${error.message}): the bytes after this point could not be decompressed`;
}

/**
 * Reads the first decoded bytes (at least `bytes` of them, unless the input is shorter) without
 * consuming them: the returned stream yields everything, head included.
 */
export async function peek(
  decoded: DecodedStream,
  bytes = 64 * 1024,
): Promise<{ head: Buffer; stream: DecodedStream }> {
  const iterator = decoded.chunks[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
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
  async function* replay(): AsyncGenerator<Buffer> {
    yield* taken;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head: Buffer.concat(taken, size), stream: { chunks: replay(), failure: decoded.failure } };
}
