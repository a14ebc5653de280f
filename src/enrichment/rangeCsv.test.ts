import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRangeCsv } from './rangeCsv.js';

function csv(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'flowhawk-csv-')), 'ranges.csv');
  writeFileSync(path, text);
  return path;
}

const number = (text: string, from: number, to: number) => {
  const n = Number(text.slice(from, to));
  return Number.isInteger(n) ? n : undefined;
};

describe('readRangeCsv', () => {
  it('reads inclusive ranges, merges adjacent ones of the same value, accepts CRLF', () => {
    const { table, skipped } = readRangeCsv(csv('10,19,1\r\n20,29,1\r\n30,30,2\r\n\r\n'), 1, number);
    expect(skipped).toBe(0);
    expect(table.size).toBe(2);
    expect([9, 10, 29, 30, 31].map((k) => table.valueOf([k]))).toEqual([undefined, 1, 1, 2, undefined]);
  });

  it('skips overlapping and malformed lines, counting them and naming the first', () => {
    const path = csv('10,19,1\n15,25,2\nx,40,3\n50,45,4\n60,70\n80,90,5\n');
    const { table, skipped, firstSkipped } = readRangeCsv(path, 1, number);
    expect(skipped).toBe(4);
    expect(firstSkipped).toBe(`${path}:2`);
    expect(table.valueOf([15])).toBe(1);
    expect(table.valueOf([85])).toBe(5);
  });

  it('reads 128-bit IPv6 numbers into four words', () => {
    // 2001:db8:: and 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, then one address past the largest
    const text = [
      '42540766411282592856903984951653826560,42540766490510755371168322545197776895,64500',
      '340282366920938463463374607431768211455,340282366920938463463374607431768211456,1',
    ].join('\n');
    const { table, skipped } = readRangeCsv(csv(text), 4, number);
    expect(skipped).toBe(1);
    expect(table.valueOf([0x20010db8, 0, 0, 1])).toBe(64500);
    expect(table.valueOf([0x20010db8, 0xffffffff, 0xffffffff, 0xffffffff])).toBe(64500);
    expect(table.valueOf([0x20010db9, 0, 0, 0])).toBeUndefined();
  });
});
