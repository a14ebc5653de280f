import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DecodedStream } from '../readers/decodedStream.js';
import { type GzipReport, gunzipMembers, type Reopen } from './gzipMembers.js';

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
 * trusted: AWS names are .log.gz, users rename and decompress files). Damaged gzip keeps every byte
 * that could be decoded (see gunzipMembers); `reopen` reads the input again from an offset, which
 * lets the decoder recover the last bytes before a corrupt spot. With `maxBytes`, iteration throws a
 * DecodedSizeError as soon as the decoded bytes exceed it.
 */
export function decodeStream(raw: Readable, maxBytes?: number, reopen?: Reopen): DecodedStream {
  const report: GzipReport = { damages: [], warnings: [] };
  async function* chunks(): AsyncGenerator<Buffer> {
    const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      const first = await iterator.next();
      if (first.done) return;
      let head: Buffer = first.value;
      // a first chunk shorter than the magic (a pipe may deliver one byte) must not hide a gzip stream
      while (head.length < GZIP_MAGIC.length) {
        const next = await iterator.next();
        if (next.done) break;
        head = Buffer.concat([head, next.value as Buffer]);
      }
      const rest = (async function* () {
        yield head;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value as Buffer;
        }
      })();
      if (!isGzip(head)) yield* rest;
      else if (reopen) yield* gunzipFastThenCareful(rest, report, reopen);
      else yield* gunzipMembers(rest, report);
    } finally {
      raw.destroy();
    }
  }
  const decoded = chunks();
  return {
    chunks: maxBytes === undefined ? decoded : capped(decoded, maxBytes, raw),
    damages: report.damages,
    warnings: report.warnings,
  };
}

/**
 * zlib's own multi-member gunzip (its CRC checks run on the thread pool, beside the parsing) until it
 * fails; then the careful member decoder reads the input again from its start and carries on from
 * the bytes already given: both decode the same bytes the same way up to the damage.
 */
async function* gunzipFastThenCareful(
  rest: AsyncIterable<Buffer>,
  report: GzipReport,
  reopen: Reopen,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  const source = Readable.from(rest, { objectMode: false });
  // pipe, not a hand-written feeder: when gunzip fails, pipe stops feeding instead of waiting on 'drain'
  source.pipe(gunzip);
  let given = 0;
  try {
    for await (const out of gunzip) {
      given += (out as Buffer).length;
      yield out as Buffer;
    }
    return;
  } catch {
    // damaged: the careful decoder says where and how, and keeps what can be kept
  } finally {
    source.unpipe(gunzip);
    source.destroy();
  }
  let seen = 0;
  for await (const bytes of gunzipMembers(reopen(0), report, reopen)) {
    const from = Math.max(0, given - seen);
    seen += bytes.length;
    if (from < bytes.length) yield bytes.subarray(from);
  }
}

/** Reopens a file from a byte offset, for decodeStream's recovery of bytes before damage. */
export function reopenFile(path: string): Reopen {
  return (offset) =>
    createReadStream(path, { start: offset, highWaterMark: READ_CHUNK })[
      Symbol.asyncIterator
    ]() as AsyncIterator<Buffer>;
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
