import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecodedSizeError, decodeStream } from './byteSource.js';

const MiB = 1 << 20;

/** Many gzip members of zeros back to back: gunzip decodes them all, ~1000 times the bytes in. */
function bomb(members: number, memberBytes = 8 * MiB): Buffer {
  const member = gzipSync(Buffer.alloc(memberBytes));
  return Buffer.concat(Array.from({ length: members }, () => member));
}

/** A source that hands out `bytes` in 64 KiB pieces and counts what was taken from it. */
function countingSource(bytes: Buffer) {
  const taken = { bytes: 0 };
  const raw = Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) {
        const piece = bytes.subarray(at, at + 64 * 1024);
        taken.bytes += piece.length;
        yield piece;
      }
    })(),
    { objectMode: false },
  );
  return { raw, taken };
}

async function drain(raw: Readable, maxBytes?: number): Promise<number> {
  let total = 0;
  for await (const chunk of decodeStream(raw, maxBytes).chunks) total += chunk.length;
  return total;
}

describe('decodeStream with a cap on decoded bytes', () => {
  it('stops a gzip bomb soon after the cap, without decompressing the rest, and releases the source', async () => {
    const gz = bomb(512); // 4 GiB of zeros in about 4 MB
    const { raw, taken } = countingSource(gz);
    const failure = await drain(raw, MiB).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DecodedSizeError);
    expect((failure as DecodedSizeError).maxBytes).toBe(MiB);
    // the streams' read-ahead (a few pieces), not the 4 MB that decoding it all would take
    expect(taken.bytes).toBeLessThan(gz.length / 8);
    expect(raw.destroyed).toBe(true);
  });

  it('decodes the whole bomb when there is no cap', async () => {
    expect(await drain(countingSource(bomb(8)).raw)).toBe(64 * MiB);
  });

  it('lets through gzip input of exactly the cap, and fails one byte over it', async () => {
    const text = Buffer.alloc(3 * MiB + 17, 'a');
    expect(await drain(Readable.from([gzipSync(text)]), text.length)).toBe(text.length);
    await expect(drain(Readable.from([gzipSync(text)]), text.length - 1)).rejects.toBeInstanceOf(
      DecodedSizeError,
    );
  });

  it('counts plain input as it is, and releases the source when over the cap', async () => {
    const text = Buffer.alloc(2 * MiB, 'b\n');
    const pieces = () => Array.from({ length: 32 }, (_, i) => text.subarray(i * 65536, (i + 1) * 65536));
    expect(await drain(Readable.from(pieces()), text.length)).toBe(text.length);
    const { raw, taken } = countingSource(text);
    await expect(drain(raw, MiB)).rejects.toBeInstanceOf(DecodedSizeError);
    expect(taken.bytes).toBeLessThan(text.length);
    expect(raw.destroyed).toBe(true);
  });
});
