import { describe, expect, it } from 'vitest';
import { countLines, lineChunks, MAX_LINE_BYTES } from './lineChunks.js';

async function* pieces(...parts: (string | Buffer)[]) {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part);
}

async function collect(source: AsyncIterable<Buffer>, target?: number) {
  const out = [];
  for await (const chunk of lineChunks(source, target))
    out.push({ ...chunk, text: Buffer.from(chunk.bytes).toString() });
  return out;
}

describe('lineChunks', () => {
  it('keeps line numbers exact however the bytes are cut', async () => {
    const input = Array.from({ length: 50 }, (_, i) => `line${i + 1}`).join('\n');
    const cuts = [3, 9, 10, 57, 58, 200, input.length];
    const parts = cuts.map((end, i) => input.slice(i === 0 ? 0 : cuts[i - 1], end));
    const chunks = await collect(pieces(...parts), 16);
    expect(chunks.map((c) => c.text).join('')).toBe(input);
    let expected = 1;
    for (const chunk of chunks) {
      expect(chunk.firstLine).toBe(expected);
      expect(chunk.text.split('\n')[0]).toBe(`line${expected}`);
      expected += chunk.lineCount;
    }
    expect(expected).toBe(51);
    expect(chunks.slice(0, -1).every((c) => c.text.endsWith('\n'))).toBe(true);
  });

  it('reports a line longer than the limit once and resumes after it', async () => {
    // no newline for more than MAX_LINE_BYTES: the line is cut short, not held in memory whole
    const half = Buffer.alloc(MAX_LINE_BYTES / 2 + 10, 0x41);
    const chunks = await collect(pieces('a\n', half, half, Buffer.from('B\nc\n')), 1024);
    expect(chunks.map((c) => [c.firstLine, c.lineCount, c.broken !== undefined])).toEqual([
      [1, 1, false],
      [2, 1, true],
      [3, 1, false],
    ]);
    expect(chunks[2]?.text).toBe('c\n');
  });

  it('counts a last line without newline', () => {
    expect(countLines(Buffer.from('a\nb'))).toBe(2);
    expect(countLines(Buffer.from('a\nb\n'))).toBe(2);
    expect(countLines(Buffer.alloc(0))).toBe(0);
  });
});
