import { describe, expect, it } from 'vitest';
import { FlowhawkError } from '../errors.js';
import { parseDuration, parseTimeBound, parseTimeWindow } from './timeBound.js';

const now = new Date('2026-12-03T09:00:00Z');

describe('parseTimeBound', () => {
  it.each([
    ['24h', '2026-12-02T09:00:00.000Z'],
    ['90m', '2026-12-03T07:30:00.000Z'],
    ['7d', '2026-11-26T09:00:00.000Z'],
    ['2026-11-30', '2026-11-30T00:00:00.000Z'],
    ['2026-11-30T10:00', '2026-11-30T10:00:00.000Z'],
    ['2026-11-30T10:00:00+01:00', '2026-11-30T09:00:00.000Z'],
    ['2026-11-30 10:00Z', '2026-11-30T10:00:00.000Z'],
    ['1710115200', '2024-03-11T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseTimeBound(text, '--since', now).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '24', '2026-13-45', '-3h'])('refuses %s, naming the flag', (text) => {
    expect(() => parseTimeBound(text, '--until', now)).toThrow(FlowhawkError);
    expect(() => parseTimeBound(text, '--until', now)).toThrow(/--until/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['1s', 1],
    ['5m', 300],
    ['1.5h', 5400],
    ['7d', 604_800],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text, '--interval')).toBe(seconds);
  });
  it.each(['0s', '5', 'soon', '2026-11-30', '-1m'])('refuses %s, naming the flag', (text) => {
    expect(() => parseDuration(text, '--interval')).toThrow(/--interval/);
  });
});

describe('parseTimeWindow', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const keys = { since: '--since', until: '--until' };

  it('gives each bound given as a time, and nothing for one not given', () => {
    expect(parseTimeWindow({ since: '24h' }, keys, now)).toEqual({ since: new Date('2026-12-02T12:00:00Z') });
    expect(parseTimeWindow({}, keys, now)).toEqual({});
  });

  it('refuses a window that does not start before it ends, naming both keys', () => {
    expect(() => parseTimeWindow({ since: '1h', until: '2h' }, keys, now)).toThrow(
      '--since 1h is not before --until 2h',
    );
    expect(() =>
      parseTimeWindow({ since: '1h', until: '1h' }, { since: 'since', until: 'until' }, now),
    ).toThrow('since 1h is not before until 1h');
  });
});
