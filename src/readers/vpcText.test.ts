import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_V2_LAYOUT, isCleanChunk, layoutFromNames, parseHeader, splitRecord } from './vpcText.js';

describe('parseHeader', () => {
  it('reads any field order and subset, keeping unknown names aside', () => {
    const layout = parseHeader('account-id version interface-id srcaddr future-field dstport');
    expect(layout?.fields).toEqual(['account-id', 'version', 'interface-id', 'srcaddr', null, 'dstport']);
    expect(layout?.unknown).toEqual(['future-field']);
  });

  it('accepts Parquet/Athena underscore names', () => {
    expect(parseHeader('interface_id pkt_srcaddr log_status')?.fields).toEqual([
      'interface-id',
      'pkt-srcaddr',
      'log-status',
    ]);
  });

  it('does not take a record for a header', () => {
    expect(
      parseHeader(
        '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      ),
    ).toBeUndefined();
    expect(parseHeader('hello world')).toBeUndefined();
    expect(parseHeader('')).toBeUndefined();
  });
});

describe('splitRecord', () => {
  const layout = layoutFromNames(['srcaddr', 'dstaddr', 'srcport']);

  it('tolerates runs of spaces, tabs, CRLF and trailing comments', () => {
    expect(splitRecord('10.0.0.1  10.0.0.2\t80\r', layout)).toEqual({
      values: ['10.0.0.1', '10.0.0.2', '80'],
    });
    expect(splitRecord('10.0.0.1 10.0.0.2 80 #why', layout)).toEqual({
      values: ['10.0.0.1', '10.0.0.2', '80'],
    });
  });

  it('reports a wrong field count, an empty line, a comment line', () => {
    expect(splitRecord('10.0.0.1 10.0.0.2', layout)).toEqual({ reason: '2 fields where the format has 3' });
    expect(splitRecord('', layout)).toEqual({ reason: 'empty line' });
    expect(splitRecord('  # note', layout)).toEqual({ reason: 'comment line' });
    expect(splitRecord('x'.repeat(9000), DEFAULT_V2_LAYOUT)).toEqual({
      reason: 'line longer than 8192 characters',
    });
  });
});

describe('isCleanChunk', () => {
  it('passes plain single-spaced ASCII lines', () => {
    expect(isCleanChunk(Buffer.from('a b c\nd e f\n'))).toBe(true);
    expect(isCleanChunk(Buffer.from('a b c\nd e f'))).toBe(true);
  });

  it.each([
    ['double space', 'a  b\n'],
    ['blank line', 'a b\n\nc d\n'],
    ['leading blank line', '\na b\n'],
    ['CRLF', 'a b\r\n'],
    ['tab', 'a\tb\n'],
    ['comment', 'a b #c\n'],
    ['trailing space', 'a b \n'],
    ['leading space', ' a b\n'],
    ['non-ASCII', 'a b\u00e9\n'],
    ['NUL', 'a\0b\n'],
  ])('sends %s to the careful path', (_, text) => {
    expect(isCleanChunk(Buffer.from(text))).toBe(false);
  });

  // the rule as it was written before the readers left Node's Buffer: the one-pass check must agree
  const UNSAFE = ['  ', '\t', '\r', '\v', '\f', '#', '\n\n', '\n ', ' \n', '\0'].map((t) => Buffer.from(t));
  const byPatterns = (bytes: Buffer) =>
    bytes.length > 0 &&
    bytes[0] !== 0x0a &&
    bytes[0] !== 0x20 &&
    bytes[bytes.length - 1] !== 0x20 &&
    isAscii(bytes) &&
    UNSAFE.every((pattern) => bytes.indexOf(pattern) === -1);

  it('agrees with the pattern rule on any bytes', () => {
    const tricky = fc.constantFrom(
      0x20,
      0x0a,
      0x09,
      0x0d,
      0x0b,
      0x0c,
      0x00,
      0x23,
      0x7f,
      0x80,
      0xc3,
      0x01,
      0x61,
      0x31,
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(tricky, fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
        (codes) => {
          const bytes = Buffer.from(codes);
          expect(isCleanChunk(bytes)).toBe(byPatterns(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
