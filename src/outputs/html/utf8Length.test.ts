import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from './utf8Length.js';

describe('utf8Length', () => {
  it('is Buffer.byteLength of any text, lone surrogates included', () => {
    const units = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }),
    );
    fc.assert(
      fc.property(units, (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
    );
  });

  it('counts 1, 2, 3 and 4 bytes by code point', () => {
    expect([utf8Length('a'), utf8Length('é'), utf8Length('→'), utf8Length('😀')]).toEqual([1, 2, 3, 4]);
  });
});
