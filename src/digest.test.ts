import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Base64, sha256Hex } from './digest.js';

describe('sha256Hex and sha256Base64', () => {
  it("equal node:crypto's digest of the text's UTF-8 bytes, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
        expect(sha256Base64(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64'));
      }),
    );
  });

  it('gives the published digest of "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
