import { describe, expect, it } from 'vitest';
import { type JsonPiece, JsonValueSplitter } from './jsonValues.js';

describe('JsonValueSplitter', () => {
  const input = Buffer.from(
    '\ufeff{\n  "pretty": true\n}\n' +
      '{"message":"a \\"quoted\\" } { [ brace","n":[1,{"x":"\\\\"}]}{"b":"é"}\n' +
      '[{"c":1},\n {"d":"]"}, 7, {"e":2}]\n' +
      'junk line\n' +
      '{"cut":"short\n' +
      // one value per line by now: a value open at the end of its line is broken there
      '{"x":\n1}\n' +
      '{"open":',
  );

  function split(pieces: Buffer[]): JsonPiece[] {
    const splitter = new JsonValueSplitter();
    return [...pieces.flatMap((piece) => splitter.push(piece)), ...splitter.end()];
  }

  it('finds the same values however the bytes are cut', () => {
    const whole = split([input]);
    expect(whole.map((p) => [p.kind, p.kind === 'value' ? p.text : p.reason, p.at.line, p.inArray])).toEqual([
      ['value', '{\n  "pretty": true\n}', 1, false],
      ['value', '{"message":"a \\"quoted\\" } { [ brace","n":[1,{"x":"\\\\"}]}', 4, false],
      ['value', '{"b":"é"}', 4, false],
      ['value', '{"c":1}', 5, true],
      ['value', '{"d":"]"}', 6, true],
      ['bad', 'array element is not a JSON object', 6, true],
      ['value', '{"e":2}', 6, true],
      ['bad', "not JSON (expected '{' or '[')", 7, false],
      ['bad', 'JSON value cut short: line break inside a string', 8, false],
      ['bad', 'JSON value not closed at the end of its line (one value per line)', 9, false],
      ['bad', "not JSON (expected '{' or '[')", 10, false],
      ['value', '{"open":', 11, false],
    ]);
    expect(whole.at(-1)).toMatchObject({ incomplete: true });
    const bytes = [...input].map((byte) => Buffer.from([byte]));
    expect(split(bytes)).toEqual(whole);
    const threes = Array.from({ length: Math.ceil(input.length / 3) }, (_, i) =>
      input.subarray(i * 3, i * 3 + 3),
    );
    expect(split(threes)).toEqual(whole);
  });

  it('skips a value larger than its limit, keeping its start as the excerpt', () => {
    const splitter = new JsonValueSplitter(1 << 20);
    const big = `{"message":"${'x'.repeat(2 << 20)}"}\n{"message":"small"}\n`;
    const pieces = splitter.push(Buffer.from(big));
    expect(pieces.map((p) => p.kind)).toEqual(['bad', 'value']);
    expect(pieces[0]).toMatchObject({
      reason: 'JSON value larger than 1 MiB skipped',
      excerpt: expect.stringMatching(/^\{"message":"x+$/),
    });
  });
});
