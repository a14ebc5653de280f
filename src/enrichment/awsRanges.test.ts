import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactAwsRanges, parseAwsIpRanges } from './awsCompact.js';
import { AwsRanges, chooseAwsRanges } from './awsRanges.js';
import { BUNDLED_AWS_RANGES } from './data/awsIpRanges.js';
import { AWS_RANGES_FILE } from './dataDir.js';

const fixtureFile = parseAwsIpRanges(
  JSON.parse(readFileSync(new URL('./testdata/aws-ip-ranges.json', import.meta.url), 'utf8')),
  'fixture',
);
const fixture = new AwsRanges(compactAwsRanges(fixtureFile, 'fixture'));
const service = (address: string) => fixture.owner(address)?.service;

describe('the bundled AWS snapshot (syncToken 1787411825)', () => {
  const bundled = new AwsRanges(BUNDLED_AWS_RANGES);

  it('names S3 and its region for an S3 prefix, though AWS also lists it under AMAZON and EC2', () => {
    // snapshot fact: 52.219.170.0/23 is listed as S3, AMAZON and EC2 in eu-central-1
    for (const a of ['52.219.170.0', '52.219.170.77', '52.219.171.255']) {
      expect(bundled.owner(a)).toMatchObject({ service: 'S3', region: 'eu-central-1' });
    }
  });

  it('keeps AMAZON where no specific service covers the prefix', () => {
    // snapshot fact: 3.4.12.4/32 is listed only under AMAZON, eu-west-1
    expect(bundled.owner('3.4.12.4')).toMatchObject({ service: 'AMAZON', region: 'eu-west-1' });
  });

  it('knows IPv6 ranges', () => {
    // snapshot facts: 2406:daf9:a800::/40 is S3 in ap-southeast-1; 2a01:578:0:7301::1/128 AMAZON in eu-west-3
    expect(bundled.owner('2406:daf9:a800::1')).toMatchObject({ service: 'S3', region: 'ap-southeast-1' });
    expect(bundled.owner('2406:daf9:a8ff:ffff:ffff:ffff:ffff:ffff')?.service).toBe('S3');
    expect(bundled.owner('2a01:578:0:7301::1')).toMatchObject({ service: 'AMAZON', region: 'eu-west-3' });
  });

  it('answers undefined outside AWS and for text that is no address', () => {
    for (const a of ['8.8.8.8', '10.0.0.1', '2001:4860:4860::8888', '-', '']) {
      expect(bundled.owner(a)).toBeUndefined();
    }
  });

  it('reads IPv4-mapped and NAT64 addresses as the IPv4 address they carry', () => {
    expect(bundled.owner('::ffff:52.219.170.77')?.service).toBe('S3');
    expect(bundled.owner('64:ff9b::52.219.170.77')?.service).toBe('S3');
    expect(bundled.owner('::ffff:8.8.8.8')).toBeUndefined();
  });

  it('stays a few hundred kilobytes', () => {
    expect(JSON.stringify(BUNDLED_AWS_RANGES).length).toBeLessThan(300_000);
  });
});

describe('compactAwsRanges', () => {
  it('gives nested ranges to the most specific service, first and last address included', () => {
    expect(service('203.0.112.255')).toBeUndefined();
    expect(service('203.0.113.0')).toBe('AMAZON');
    expect(service('203.0.113.63')).toBe('AMAZON');
    expect(service('203.0.113.64')).toBe('S3'); // same /26 under AMAZON, EC2 and S3: S3 is narrower
    expect(service('203.0.113.96')).toBe('S3'); // an AMAZON /32 inside it does not take it back
    expect(service('203.0.113.127')).toBe('S3');
    expect(service('203.0.113.128')).toBe('AMAZON');
    expect(service('203.0.113.255')).toBe('AMAZON');
    expect(service('203.0.114.0')).toBeUndefined();
  });

  it('prefers the longer prefix between specific services, and keeps the border group', () => {
    expect(fixture.owner('198.51.100.127')).toEqual({
      service: 'EC2',
      region: 'us-east-1',
      networkBorderGroup: 'us-east-1-bos-1',
    });
    expect(service('198.51.100.128')).toBe('ROUTE53_HEALTHCHECKS');
    expect(service('198.51.100.255')).toBe('ROUTE53_HEALTHCHECKS');
    expect(service('198.51.101.0')).toBe('EC2');
  });

  it('handles the ends of the address space', () => {
    expect(service('0.0.0.0')).toBe('AMAZON');
    expect(service('0.0.0.1')).toBeUndefined();
    expect(service('255.255.255.255')).toBe('AMAZON');
    expect(service('255.255.255.254')).toBeUndefined();
  });

  it('resolves IPv6 the same way', () => {
    expect(service('2001:db8:100::')).toBe('S3');
    expect(service('2001:db8:1ff:ffff::')).toBe('S3');
    expect(service('2001:db8:1ff:ffff::1')).toBe('ROUTE53');
    expect(service('2001:db8:1ff:ffff::2')).toBe('S3');
    expect(service('2001:db8:1ff:ffff:ffff:ffff:ffff:ffff')).toBe('S3');
    expect(service('2001:db8:200::')).toBeUndefined();
    expect(service('2001:db8:ff:ffff:ffff:ffff:ffff:ffff')).toBeUndefined();
  });
});

describe('chooseAwsRanges', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'flowhawk-data-'));

  it('uses a refreshed file only when it is newer than the bundled snapshot', async () => {
    const newer = dir();
    writeFileSync(join(newer, AWS_RANGES_FILE), JSON.stringify(compactAwsRanges(fixtureFile, 'test')));
    expect((await chooseAwsRanges(newer)).origin).toBe(join(newer, AWS_RANGES_FILE));
    const older = dir();
    const stale = compactAwsRanges({ ...fixtureFile, syncToken: '1000' }, 'test');
    writeFileSync(join(older, AWS_RANGES_FILE), JSON.stringify(stale));
    expect((await chooseAwsRanges(older)).origin).toBe('bundled');
    expect((await chooseAwsRanges(dir())).origin).toBe('bundled');
  });

  it('passes over a damaged refreshed file with a warning', async () => {
    const damaged = dir();
    writeFileSync(join(damaged, AWS_RANGES_FILE), '{"format": "something else"');
    const choice = await chooseAwsRanges(damaged);
    expect(choice.origin).toBe('bundled');
    expect(choice.warning).toMatch(/is damaged .*flowhawk update-data/);
  });
});
