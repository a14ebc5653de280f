import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonArray, jsonArrayOfLines } from './jsonPieces.js';
import { piecesText } from './writePieces.js';

describe('jsonArray', () => {
  it('writes what JSON.stringify(array, null, 2) writes, at the top and nested', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), (items) => {
        expect(piecesText(jsonArray(items, 0))).toBe(JSON.stringify(items, null, 2));
        const nested = `{\n  "findings": ${piecesText(jsonArray(items, 1))}\n}`;
        expect(nested).toBe(JSON.stringify({ findings: items }, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps strings with newlines, quotes and separators on their line, two levels down', () => {
    const items = [{ text: 'a\nb "c"\u2028', list: [] }, 'x\r\n', null, []];
    const nested = `{\n  "a": {\n    "b": ${piecesText(jsonArray(items, 2))}\n  }\n}`;
    expect(nested).toBe(JSON.stringify({ a: { b: items } }, null, 2));
    expect(piecesText(jsonArray([], 2))).toBe('[]');
  });
});

describe('jsonArrayOfLines', () => {
  it('parses back to the array, one element per line whatever the strings hold', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 6 }), (items) => {
        const text = piecesText(jsonArrayOfLines(items));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(items)));
        expect(text.split('\n')).toHaveLength(items.length + 2);
      }),
      { numRuns: 300 },
    );
    expect(piecesText(jsonArrayOfLines([]))).toBe('[]');
  });
});
