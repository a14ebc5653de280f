import { describe, expect, it } from 'vitest';
import { RangeTableBuilder } from './rangeTable.js';

describe('RangeTable', () => {
  const b = new RangeTableBuilder(1, 2); // capacity 2: the third add makes it grow
  b.add([10], [19], 1);
  b.add([20], [20], 2);
  b.add([40], [0xffffffff], 3);
  const table = b.build();

  it('finds the first and last address of each range and nothing just outside', () => {
    expect([9, 10, 19, 20, 21, 39, 40, 0xffffffff].map((k) => table.valueOf([k]))).toEqual([
      undefined,
      1,
      1,
      2,
      undefined,
      undefined,
      3,
      3,
    ]);
    expect(table.valueOf([0])).toBeUndefined();
  });

  it('compares IPv6 keys word by word, most significant first', () => {
    const v6 = new RangeTableBuilder(4);
    v6.add([1, 0, 0, 0], [1, 0, 0xffffffff, 0xffffffff], 7);
    v6.add([1, 1, 0, 0], [1, 1, 0, 0], 8);
    const t = v6.build();
    expect(t.valueOf([1, 0, 5, 0])).toBe(7);
    expect(t.valueOf([1, 0, 0xffffffff, 0xffffffff])).toBe(7);
    expect(t.valueOf([1, 1, 0, 0])).toBe(8);
    expect(t.valueOf([1, 1, 0, 1])).toBeUndefined();
    expect(t.valueOf([0, 0xffffffff, 0xffffffff, 0xffffffff])).toBeUndefined();
  });

  it('refuses ranges out of order, overlapping or reversed', () => {
    const o = new RangeTableBuilder(1);
    o.add([10], [20], 1);
    expect(() => o.add([20], [30], 2)).toThrow(/ascending order without overlap/);
    expect(() => o.add([5], [6], 2)).toThrow(/ascending order/);
    expect(() => o.add([40], [30], 2)).toThrow(/ends before it starts/);
  });

  it('answers undefined from an empty table', () => {
    expect(new RangeTableBuilder(4).build().valueOf([0, 0, 0, 0])).toBeUndefined();
  });
});
