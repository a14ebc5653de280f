import { describe, expect, it } from 'vitest';
import {
  addSeconds,
  civilToEpoch,
  isDecimalSeconds,
  isoToEpoch,
  numberToSeconds,
  parseUtcOffset,
} from './epochSeconds.js';

describe('decimal seconds', () => {
  it('adds exactly, keeping every digit', () => {
    expect(addSeconds('1655071198.444458', '1.135424')).toBe('1655071199.579882');
    expect(addSeconds('1700000002.5', '0.00012')).toBe('1700000002.50012');
    expect(addSeconds('1700000000', '3')).toBe('1700000003');
    expect(addSeconds('0.999999', '0.000001')).toBe('1.000000');
    expect(addSeconds('12', '0.5')).toBe('12.5');
  });

  it('accepts non-negative decimals up to 2^32 - 1 only', () => {
    expect(['0', '1.5', '4294967295', '1700000000.123456'].every(isDecimalSeconds)).toBe(true);
    expect(['-1', '1e9', 'nan', '', '1.', '.5', '4294967296', '0x10'].some(isDecimalSeconds)).toBe(false);
  });

  it('turns JSON numbers into text without exponents', () => {
    expect(numberToSeconds(1700000000.123456)).toBe('1700000000.123456');
    expect(numberToSeconds(1e-7)).toBe('0.000000');
    expect(numberToSeconds(-1)).toBeUndefined();
    expect(numberToSeconds(Number.NaN)).toBeUndefined();
  });
});

describe('calendar times', () => {
  const at = { year: 2023, month: 11, day: 14, hour: 22, minute: 13, second: 20 };

  it('converts with an offset east of UTC, keeping the fraction as written', () => {
    expect(civilToEpoch(at, '123456', 0)).toBe('1700000000.123456');
    expect(civilToEpoch(at, '', 120)).toBe('1699992800');
    expect(civilToEpoch(at, '5', -330)).toBe('1700019800.5');
  });

  it('refuses dates that do not exist and times before 1970', () => {
    expect(civilToEpoch({ ...at, month: 13 }, '', 0)).toBeUndefined();
    expect(civilToEpoch({ ...at, month: 4, day: 31 }, '', 0)).toBeUndefined();
    expect(civilToEpoch({ ...at, year: 1969 }, '', 0)).toBeUndefined();
  });

  it('reads ISO 8601 with or without zone', () => {
    expect(isoToEpoch('2023-11-14T22:13:20.000001Z')).toBe('1700000000.000001');
    expect(isoToEpoch('2023-11-15T00:13:20+02:00')).toBe('1700000000');
    expect(isoToEpoch('2023-11-14T22:13:20')).toBe('1700000000');
    expect(isoToEpoch('yesterday')).toBeUndefined();
  });

  it('parses UTC offsets', () => {
    expect(parseUtcOffset('+02:00')).toBe(120);
    expect(parseUtcOffset('+0200')).toBe(120);
    expect(parseUtcOffset('-05:30')).toBe(-330);
    expect(parseUtcOffset('Z')).toBe(0);
    expect(parseUtcOffset('+15:00')).toBeUndefined();
    expect(parseUtcOffset('CEST')).toBeUndefined();
  });
});
