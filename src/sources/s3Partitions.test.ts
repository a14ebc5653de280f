import { describe, expect, it } from 'vitest';
import { DELIVERY_SLACK_MS, decidePrefix, keyWanted } from './s3Partitions.js';

const hour = { since: new Date('2026-11-15T10:00:00Z'), until: new Date('2026-11-15T11:00:00Z') };
const CLASSIC = 'AWSLogs/111122223333/vpcflowlogs/eu-west-1/';
const HIVE = 'AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/';

describe('decidePrefix', () => {
  it.each([
    [`${CLASSIC}2026/11/14/`, 'skip'],
    [`${CLASSIC}2026/11/15/`, 'walk'],
    [`${CLASSIC}2026/11/15/09/`, 'skip'],
    [`${CLASSIC}2026/11/15/10/`, 'all'],
    [`${CLASSIC}2026/11/15/11/`, 'walk'],
    [`${CLASSIC}2026/11/15/12/`, 'skip'],
    [`${CLASSIC}2025/`, 'skip'],
    [`${HIVE}year=2026/month=11/day=16/`, 'skip'],
    [`${HIVE}year=2026/month=11/day=15/hour=10/`, 'all'],
    [`${HIVE}year=2026/month=10/`, 'skip'],
    ['AWSLogs/', 'walk'],
  ])('a one-hour window: %s → %s', (prefix, decision) => {
    expect(decidePrefix(prefix, hour)).toBe(decision);
  });

  it('rules out other accounts and regions in both layouts, and stops walking once nothing is open', () => {
    const filter = { accounts: ['111122223333'], regions: ['us-east-1'] };
    expect(decidePrefix('AWSLogs/999999999999/', filter)).toBe('skip');
    expect(decidePrefix(CLASSIC, filter)).toBe('skip');
    expect(decidePrefix(HIVE, filter)).toBe('skip');
    expect(decidePrefix('AWSLogs/111122223333/vpcflowlogs/us-east-1/', filter)).toBe('all');
    expect(decidePrefix('AWSLogs/111122223333/', filter)).toBe('walk');
  });
});

describe('keyWanted', () => {
  const key = (stamp: string) =>
    `${CLASSIC}2026/11/15/${stamp.slice(9, 11)}/111122223333_vpcflowlogs_eu-west-1_fl-0a1b2c3d_${stamp}_1a2b3c4d.log.gz`;

  it('keeps objects written in the window or within the delivery slack after it', () => {
    expect(DELIVERY_SLACK_MS).toBe(20 * 60_000);
    expect(keyWanted(key('20261115T1000Z'), hour)).toBe(true);
    expect(keyWanted(key('20261115T1120Z'), hour)).toBe(true);
    expect(keyWanted(key('20261115T1121Z'), hour)).toBe(false);
    expect(keyWanted(key('20261115T0959Z'), hour)).toBe(false);
  });

  it('keeps objects whose names say nothing of time, account or region', () => {
    expect(keyWanted('exports/flows-renamed.log.gz', hour)).toBe(true);
    expect(keyWanted('exports/flows-renamed.log.gz', { accounts: ['111122223333'] })).toBe(true);
  });

  it('leaves out an object of another account by its name alone (a flat bucket)', () => {
    const flat = '999999999999_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261115T1005Z_1a2b3c4d.log.gz';
    expect(keyWanted(flat, { accounts: ['111122223333'] })).toBe(false);
    expect(keyWanted(flat, { accounts: ['999999999999'] })).toBe(true);
  });
});
