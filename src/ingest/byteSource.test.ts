import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeStream } from './byteSource.js';

async function decoded(chunks: Buffer[]) {
  const stream = decodeStream(Readable.from(chunks));
  const out: Uint8Array[] = [];
  for await (const chunk of stream.chunks) out.push(chunk);
  return { text: Buffer.concat(out).toString('latin1'), damages: stream.damages };
}

describe('decodeStream', () => {
  it('finds the gzip magic when the first chunk holds a single byte', async () => {
    const gz = gzipSync('hello\n');
    expect(await decoded([gz.subarray(0, 1), gz.subarray(1, 5), gz.subarray(5)])).toEqual({
      text: 'hello\n',
      damages: [],
    });
  });

  it('passes a one-byte input through as it is', async () => {
    expect(await decoded([Buffer.from([0x1f])])).toEqual({ text: '\x1f', damages: [] });
  });
});
