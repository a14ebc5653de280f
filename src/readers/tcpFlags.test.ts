import { describe, expect, it } from 'vitest';
import { argusStateFlags, zeekHistoryFlags } from './tcpFlags.js';

describe('Zeek history', () => {
  it.each([
    ['ShADdaFf', { orig: 2 | 1, resp: 18 | 1 }],
    ['S', { orig: 2, resp: 0 }],
    ['Sr', { orig: 2, resp: 4 }],
    ['ShR', { orig: 2 | 4, resp: 18 }],
    ['^h', { orig: 0, resp: 18 }],
    ['DdAa', { orig: 0, resp: 0 }],
    ['ShADadttfF', { orig: 3, resp: 19 }],
  ])('%s', (history, flags) => {
    expect(zeekHistoryFlags(history)).toEqual(flags);
  });
});

describe('Argus TCP state', () => {
  it.each([
    ['S_RA', { orig: 2, resp: 4 }],
    ['S_', { orig: 2, resp: 0 }],
    ['SR_SA', { orig: 2 | 4, resp: 18 }],
    ['FSPA_FSPA', { orig: 3, resp: 19 }],
    ['_FSPA', { orig: 0, resp: 19 }],
    ['PA_PA', { orig: 0, resp: 0 }],
    ['SEC_RA', { orig: 2, resp: 4 }],
  ])('%s', (state, flags) => {
    expect(argusStateFlags(state)).toEqual(flags);
  });

  it('has no flags for states that are not <src>_<dst>', () => {
    for (const state of ['CON', 'INT', 'RST', 'ECO', '', 'S_RA_X'])
      expect(argusStateFlags(state)).toBeUndefined();
  });
});
