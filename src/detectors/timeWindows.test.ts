import { describe, expect, it } from 'vitest';
import { densest, duration, median, quantile, runs, widest } from './timeWindows.js';

describe('time windows', () => {
  it('finds the densest window, half-open: a check every minute puts 5 in any 5 minutes', () => {
    const everyMinute = Array.from({ length: 60 }, (_, i) => i * 60);
    expect(densest(everyMinute, 300)).toEqual({ count: 5, from: 0, to: 240 });
    expect(densest([0, 100, 101, 102, 500], 10)).toEqual({ count: 3, from: 100, to: 102 });
    expect(densest([], 300).count).toBe(0);
  });

  it('counts distinct keys, not connections, in the widest window', () => {
    const starts = [0, 1, 2, 3, 4, 1000];
    const hosts = ['a', 'a', 'b', 'a', 'c', 'd'];
    expect(widest(starts, hosts, 600)).toEqual({ count: 3, from: 0, to: 4 });
  });

  it('splits repeated bursts into runs and skips what never reaches the threshold', () => {
    const starts = [0, 1, 2, 50, 3600, 3601, 3602, 7200];
    const hosts = ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'a'];
    expect(runs(starts, hosts, 600, 3).map((r) => [r.start, [...r.keys].sort()])).toEqual([
      [0, ['a', 'b', 'c', 'd']],
      [3600, ['a', 'b', 'c']],
    ]);
  });

  it('interpolates quantiles and words durations', () => {
    expect(median([1, 3, 2, 4])).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect([duration(45), duration(300), duration(5 * 3600)]).toEqual(['45 s', '5 minutes', '5 hours']);
  });
});
