import { describe, expect, it } from 'vitest';
import { maxOf, minOf } from './extremes.js';

describe('minOf / maxOf', () => {
  it('agree with Math.min / Math.max on small lists, empty ones included', () => {
    for (const list of [[], [3], [2, -1, 7.5], [-0.5, -2, -2]]) {
      expect(minOf(list)).toBe(Math.min(...list));
      expect(maxOf(list)).toBe(Math.max(...list));
    }
  });

  it('handle a list far longer than a spread of arguments can take', () => {
    const list = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    list[123_456] = -5;
    list[654_321] = 2_000_000;
    expect(() => Math.min(...list)).toThrow(RangeError);
    expect(minOf(list)).toBe(-5);
    expect(maxOf(list)).toBe(2_000_000);
  });
});
