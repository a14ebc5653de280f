import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writePieces } from './writePieces.js';

/** A reader that takes one chunk per tick and remembers how far ahead of it the renderer ran. */
function slowReader(highWaterMark: number) {
  const state = { received: 0, chunks: 0 };
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      state.received += chunk.length;
      state.chunks++;
      setImmediate(done);
    },
  });
  return { out, state };
}

describe('writePieces', () => {
  it('renders no further ahead of a slow reader than its buffer and one chunk', async () => {
    const { out, state } = slowReader(16 * 1024);
    let produced = 0;
    let furthestAhead = 0;
    function* pieces() {
      for (let i = 0; i < 20_000; i++) {
        furthestAhead = Math.max(furthestAhead, produced - state.received);
        const piece = `${'x'.repeat(99)}\n`;
        produced += piece.length;
        yield piece;
      }
    }
    await writePieces(pieces(), out);
    expect(state.received).toBe(2_000_000);
    expect(state.chunks).toBeGreaterThan(20);
    // 64 Ki of pending chunk, 16 Ki buffered by the stream, and the chunk the reader is taking
    expect(furthestAhead).toBeLessThan(3 * 64 * 1024);
  });

  it("stops at the stream's error, and at the renderer's", async () => {
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    broken.on('error', () => {});
    let asked = 0;
    // bounded, so that a writer that never waits fails this test instead of looping for ever
    function* plenty() {
      for (let i = 0; i < 1000; i++) {
        asked++;
        yield 'y'.repeat(70_000);
      }
    }
    await expect(writePieces(plenty(), broken)).rejects.toThrow('EPIPE');
    expect(asked).toBeLessThan(5);
    function* failing() {
      yield 'a';
      throw new Error('renderer bug');
    }
    await expect(writePieces(failing(), slowReader(1024).out)).rejects.toThrow('renderer bug');
  });
});
