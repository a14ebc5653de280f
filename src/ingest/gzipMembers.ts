import zlib from 'node:zlib';
import type { Damage } from '../readers/decodedStream.js';
import { InputBytes } from './inputBytes.js';

/** What the decoder found besides the data: damage, and notes that cost no line. */
export interface GzipReport {
  damages: Damage[];
  warnings: string[];
}

/** Opens the same input again from a byte offset: lets the decoder recover bytes zlib drops on error. */
export type Reopen = (offset: number) => AsyncIterator<Buffer>;

const PIECE_BYTES = 256 << 10;
/** zlib's smallest output buffer: on a data error, zlib drops what it decoded into the buffer since the last push. */
const REPAIR_CHUNK_BYTES = 64;
/** How far past a candidate member header a trial inflate must get without error before decoding resumes there. */
const TRIAL_BYTES = 64 << 10;
const MAX_HEADER_FIELD_BYTES = 64 << 10;

const crc32: ((data: Buffer, value?: number) => number) | undefined = (
  zlib as { crc32?: (data: Buffer, value?: number) => number }
).crc32;

/**
 * Decompresses a gzip input member by member, as `zcat` would, but keeping more of a damaged file:
 * - every byte decoded before damage is kept (with `reopen`, even the bytes zlib decoded into the
 *   buffer it discards on a data error);
 * - a corrupt member is a Damage, and decoding resumes at the next intact member when one follows;
 * - bytes after the last member that are not gzip (an interrupted download, a bad copy) are one
 *   warning with their offset; zero padding is ignored;
 * - a truncated member keeps everything up to the cut.
 */
export async function* gunzipMembers(
  source: AsyncIterator<Buffer>,
  report: GzipReport,
  reopen?: Reopen,
): AsyncGenerator<Buffer> {
  const input = new InputBytes(source);
  let decoded = 0;
  let lastByte = -1;
  let members = 0;
  const emit = (bytes: Buffer) => {
    decoded += bytes.length;
    if (bytes.length > 0) lastByte = bytes[bytes.length - 1] as number;
    return bytes;
  };
  const damage = function* (reason: string): Generator<Buffer> {
    const cut = decoded > 0 && lastByte !== 0x0a;
    // recorded before the '\n' goes out: a line reader must know the line is a fragment when it sees its end
    report.damages.push({ at: decoded + (cut ? 1 : 0), cut, reason });
    if (cut) yield emit(Buffer.from('\n'));
  };
  for (;;) {
    if (await input.atEnd()) return;
    const start = input.offset;
    const header = await readHeader(input);
    if (header === undefined) {
      if (members > 0 && (await onlyZerosLeft(input))) return;
      const resume = await findNextMember(input, 1);
      if (members > 0 && resume === undefined) {
        report.warnings.push(
          `trailing garbage ignored: the bytes after the last gzip member, from byte offset ${start}, are not gzip data (the lines before them were kept)`,
        );
        return;
      }
      const skipped =
        resume === undefined
          ? `no valid gzip header at byte offset ${start}, nor after it`
          : `${resume - start} bytes at byte offset ${start} are not gzip data and were skipped; decoding resumed at byte offset ${resume}`;
      yield* damage(`gzip stream corrupt: ${skipped}`);
      if (resume === undefined) return;
      continue;
    }
    const deflateStart = input.offset;
    let memberOut = 0;
    let crc = 0;
    const member = inflateMember(input, PIECE_BYTES);
    let end: MemberEnd;
    for (;;) {
      const next = await member.next();
      if (next.done) {
        end = next.value;
        break;
      }
      memberOut += next.value.length;
      if (crc32) crc = crc32(next.value, crc);
      yield emit(next.value);
    }
    members++;
    if (end.kind === 'corrupt' && reopen) {
      // zlib threw away what it decoded into its output buffer before the error: decode the member
      // again with the smallest buffer and keep what follows the bytes already given
      for await (const bytes of repairTail(reopen, deflateStart, memberOut)) yield emit(bytes);
    }
    if (end.kind === 'truncated') {
      yield* damage(
        `gzip stream truncated: the file ends inside the gzip member that starts at byte offset ${start} (incomplete download or copy?)`,
      );
      return;
    }
    if (end.kind === 'corrupt') {
      const resume = await findNextMember(input, 0);
      const after =
        resume === undefined
          ? 'no intact member follows'
          : `decoding resumed at the next member, byte offset ${resume}`;
      yield* damage(
        `gzip stream corrupt near byte offset ${deflateStart + end.consumed}, in the member that starts at byte offset ${start} (${end.reason}): the bytes after that point could not be decompressed; ${after}`,
      );
      if (resume === undefined) return;
      continue;
    }
    const trailer = (await input.fill(8)) ? input.peek(8) : undefined;
    if (!trailer) {
      input.skip(input.peek(8).length);
      // the data is whole (its last line too, newline or not): the cut took the checksum only
      report.damages.push({
        at: decoded,
        cut: false,
        reason: `gzip stream truncated: the file ends inside the 8-byte trailer of the member that starts at byte offset ${start}; its data is complete but unverified`,
      });
      return;
    }
    input.skip(8);
    if ((crc32 && trailer.readUInt32LE(0) !== crc >>> 0) || trailer.readUInt32LE(4) !== memberOut % 2 ** 32) {
      report.damages.push({
        at: decoded,
        cut: false,
        reason: `gzip stream corrupt: the member at byte offset ${start} fails its integrity check (CRC-32 or length); its lines were read, but values in them may be wrong`,
      });
    }
  }
}

type MemberEnd =
  | { kind: 'complete' }
  | { kind: 'truncated' }
  /** consumed: bytes of deflate data zlib had taken before the error */
  | { kind: 'corrupt'; reason: string; consumed: number };

/**
 * Inflates one member's deflate data from `input`, yielding its output, and puts back the bytes
 * after the member's end (its trailer and whatever follows).
 */
async function* inflateMember(input: InputBytes, chunkSize: number): AsyncGenerator<Buffer, MemberEnd> {
  const inflater = zlib.createInflateRaw({ chunkSize });
  const out: Buffer[] = [];
  let error: Error | undefined;
  let ended = false;
  inflater.on('data', (bytes: Buffer) => out.push(bytes));
  inflater.on('error', (e: Error) => {
    error = e;
  });
  inflater.on('end', () => {
    ended = true;
  });
  // pieces given to zlib that it may not have consumed yet, with their offsets in the member
  const fed: FedPiece[] = [];
  let fedBytes = 0;
  try {
    for (;;) {
      const piece = await input.next(PIECE_BYTES);
      if (!piece) {
        inflater.end();
        await settled(inflater, () => ended || error !== undefined);
        yield* out.splice(0);
        if (error) return isTruncation(error) ? { kind: 'truncated' } : corrupt(error, inflater, input, fed);
        return { kind: 'complete' };
      }
      fed.push({ at: fedBytes, bytes: piece });
      fedBytes += piece.length;
      await written(inflater, piece, () => error !== undefined);
      yield* out.splice(0);
      if (error) return corrupt(error, inflater, input, fed);
      const consumed = inflater.bytesWritten;
      if (ended || consumed < fedBytes) {
        await settled(inflater, () => ended || error !== undefined);
        yield* out.splice(0);
        giveBack(input, fed, consumed);
        return { kind: 'complete' };
      }
      while (fed.length > 0 && endOf(fed[0] as FedPiece) <= consumed) fed.shift();
    }
  } finally {
    inflater.destroy();
  }
}

interface FedPiece {
  /** offset of the piece in the member's deflate data */
  at: number;
  bytes: Buffer;
}

const endOf = (piece: FedPiece) => piece.at + piece.bytes.length;

/** Puts back what zlib did not consume, so the bytes after a member (or its damage) are read next. */
function giveBack(input: InputBytes, fed: readonly FedPiece[], consumed: number): void {
  for (let index = fed.length - 1; index >= 0; index--) {
    const piece = fed[index] as FedPiece;
    if (endOf(piece) <= consumed) break;
    input.unshift(piece.bytes.subarray(Math.max(0, consumed - piece.at)));
  }
}

function corrupt(
  error: Error,
  inflater: zlib.InflateRaw,
  input: InputBytes,
  fed: readonly FedPiece[],
): MemberEnd {
  const consumed = inflater.bytesWritten;
  giveBack(input, fed, consumed);
  return { kind: 'corrupt', reason: error.message, consumed };
}

function isTruncation(error: NodeJS.ErrnoException): boolean {
  return error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message);
}

/** Resolves once zlib has processed `piece` (or failed on it). */
function written(inflater: zlib.InflateRaw, piece: Buffer, failed: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      inflater.off('error', done);
      resolve();
    };
    inflater.once('error', done);
    inflater.write(piece, done);
    if (failed()) done();
  });
}

/** Resolves once `ready()` holds, checking after each of the stream's end or error events. */
function settled(inflater: zlib.InflateRaw, ready: () => boolean): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (!ready()) return;
      inflater.off('end', check);
      inflater.off('error', check);
      inflater.off('close', check);
      resolve();
    };
    inflater.on('end', check);
    inflater.on('error', check);
    inflater.on('close', check);
  });
}

/** The output of a corrupt member past its first `skip` bytes, decoded again from the start with the smallest buffer. */
async function* repairTail(reopen: Reopen, deflateStart: number, skip: number): AsyncGenerator<Buffer> {
  const again = new InputBytes(reopen(deflateStart), deflateStart);
  let seen = 0;
  for await (const bytes of inflateMember(again, REPAIR_CHUNK_BYTES)) {
    const from = Math.max(0, skip - seen);
    seen += bytes.length;
    if (from < bytes.length) yield bytes.subarray(from);
  }
}

/**
 * Reads a gzip member header (RFC 1952) and leaves `input` at its deflate data; undefined (and
 * `input` untouched) when the bytes there are no valid header.
 */
async function readHeader(input: InputBytes): Promise<number | undefined> {
  for (let want = 10; want <= MAX_HEADER_FIELD_BYTES * 2; want *= 4) {
    const complete = await input.fill(want);
    const length = headerLength(input.peek(want));
    if (typeof length === 'number') {
      input.skip(length);
      return length;
    }
    if (length === undefined || !complete) return undefined;
  }
  return undefined;
}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;

/** The header's length, undefined when `bytes` start with no gzip header, 'short' when more bytes are needed. */
function headerLength(bytes: Buffer): number | 'short' | undefined {
  if (bytes.length < 10) return bytes.length >= 3 && !isHeaderStart(bytes) ? undefined : 'short';
  if (!isHeaderStart(bytes)) return undefined;
  const flags = bytes[3] as number;
  let length = 10;
  if (flags & FEXTRA) {
    if (bytes.length < length + 2) return 'short';
    length += 2 + bytes.readUInt16LE(length);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = bytes.indexOf(0, length);
    if (end === -1) return 'short';
    length = end + 1;
  }
  if (flags & FHCRC) length += 2;
  return bytes.length >= length ? length : 'short';
}

function isHeaderStart(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8 && ((bytes[3] ?? 0) & RESERVED_FLAGS) === 0;
}

async function onlyZerosLeft(input: InputBytes): Promise<boolean> {
  for (;;) {
    if (!(await input.fill(1))) return true;
    const piece = input.peek(PIECE_BYTES);
    if (piece.some((b) => b !== 0)) return false;
    input.skip(piece.length);
  }
}

/**
 * Skips to the next offset (from `from` bytes ahead on) where a gzip member plausibly starts: a valid
 * header whose first TRIAL_BYTES of deflate data inflate without error. Returns that offset (with
 * `input` there), or undefined after consuming everything.
 */
async function findNextMember(input: InputBytes, from: number): Promise<number | undefined> {
  let searchFrom = from;
  for (;;) {
    if (!(await input.fill(searchFrom + 1))) return undefined;
    const window = input.peek(PIECE_BYTES);
    for (let at = window.indexOf(0x1f, searchFrom); at !== -1; at = window.indexOf(0x1f, at + 1)) {
      if (await plausibleMemberAt(input, at)) {
        input.skip(at);
        return input.offset;
      }
    }
    // every offset of the window was tried (the trial reads past its end as needed)
    input.skip(window.length);
    searchFrom = 0;
  }
}

async function plausibleMemberAt(input: InputBytes, at: number): Promise<boolean> {
  await input.fill(at + MAX_HEADER_FIELD_BYTES + TRIAL_BYTES);
  const bytes = input.peek(at + MAX_HEADER_FIELD_BYTES + TRIAL_BYTES).subarray(at);
  const length = headerLength(bytes);
  if (typeof length !== 'number') return false;
  try {
    zlib.inflateRawSync(bytes.subarray(length, length + TRIAL_BYTES), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    return true;
  } catch {
    return false;
  }
}
