import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatByteSize, parseByteSize } from './byteSize.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

describe('parseByteSize', () => {
  it.each([
    ['20G', 20 * GiB],
    ['2G', 2 * GiB],
    ['1.5GB', 1.5e9],
    ['512MiB', 512 * MiB],
    ['512M', 512 * MiB],
    ['500MB', 500e6],
    ['10GB', 10e9],
    ['10GiB', 10 * GiB],
    ['1T', TiB],
    ['1TiB', TiB],
    ['2TB', 2e12],
    ['4K', 4 * KiB],
    ['4KiB', 4 * KiB],
    ['4KB', 4000],
    ['1048576', MiB],
    ['1048576B', MiB],
    ['0.5K', 512],
    ['1.25MiB', 1.25 * MiB],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it('ignores the case of the unit and allows a space before it', () => {
    for (const text of ['20g', '20 G', '20gib', '20 GiB', '20GIB', ' 20G ']) {
      expect(parseByteSize(text), text).toBe(20 * GiB);
    }
    for (const text of ['1.5gb', '1.5 GB', '1.5Gb']) expect(parseByteSize(text), text).toBe(1.5e9);
  });

  it('gives whole bytes, never one short: 8.2 × 10^9 is 8199999999.999999 in doubles', () => {
    expect(parseByteSize('8.2GB')).toBe(8_200_000_000);
    expect(parseByteSize('1.005KB')).toBe(1005);
    // 1.1 × 2^30 is not a whole number of bytes: the nearest one
    expect(parseByteSize('1.1G')).toBe(1_181_116_006);
  });

  it.each([
    ['10XB'],
    ['-1G'],
    ['+1G'],
    ['abc'],
    [''],
    ['   '],
    ['0'],
    ['0GB'],
    ['0.0001B'],
    ['G'],
    ['1.G'],
    ['.5G'],
    ['1e9'],
    ['1,000'],
    ['1_000'],
    ['Infinity'],
    ['NaN'],
    ['10 G B'],
    ['10GBB'],
    ['10Gi'],
    ['10kibb'],
    ['1bytes'],
    ['99999999999T'],
  ])('refuses %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});

describe('formatByteSize', () => {
  it.each([
    [20 * GiB, '20 GiB'],
    [10e9, '10 GB'],
    [1.5e9, '1.5 GB'],
    [1.5 * GiB, '1.5 GiB'],
    [512 * MiB, '512 MiB'],
    [512e6, '512 MB'],
    [4096, '4 KiB'],
    [1000, '1 KB'],
    [2000 * MiB, '2000 MiB'],
    [1_000_000_001, '1000000001 B'],
    [1, '1 B'],
  ])('writes %d as %s', (bytes, text) => {
    expect(formatByteSize(bytes)).toBe(text);
  });

  it('writes every size as text that reads back as the same number of bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        expect(parseByteSize(formatByteSize(bytes))).toBe(bytes);
      }),
    );
    for (const text of ['1.1G', '10GB', '100GiB', '512MB', '3T', '0.5K']) {
      const bytes = parseByteSize(text) as number;
      expect(parseByteSize(formatByteSize(bytes)), text).toBe(bytes);
    }
  });
});
