import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versionDate } from './ipLocationDb.js';
import { loadOwnerLookup } from './ownerLookup.js';

describe('loadOwnerLookup with the installed ip-location-db packages', async () => {
  const lookup = await loadOwnerLookup({ dataDir: false });

  it('names the AS and country of well-known public resolvers', () => {
    expect(lookup.asnOf('8.8.8.8')).toEqual({ asn: 15169, org: 'Google LLC' });
    expect(lookup.countryOf('8.8.8.8')).toBe('US');
    expect(lookup.asnOf('1.1.1.1')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(lookup.asnOf('2001:4860:4860::8888')?.asn).toBe(15169);
    expect(lookup.asnOf('::ffff:8.8.8.8')?.asn).toBe(15169);
  });

  it('answers nothing for private, loopback, documentation and malformed addresses', () => {
    for (const a of ['10.0.0.1', '192.168.1.1', '127.0.0.1', '100.64.0.1', '2001:db8::1', 'fe80::1', '-']) {
      expect(lookup.describeOwner(a)).toEqual({});
      expect(lookup.asnOf(a)).toBeUndefined();
      expect(lookup.countryOf(a)).toBeUndefined();
    }
  });

  it('combines AWS, ASN and country in describeOwner', () => {
    // bundled snapshot fact: 52.219.170.0/23 is S3 in eu-central-1
    expect(lookup.describeOwner('52.219.170.77')).toMatchObject({
      aws: { service: 'S3', region: 'eu-central-1' },
      asn: 16509,
      asOrg: 'Amazon.com, Inc.',
    });
  });

  it('lists its sources with dates and licences', () => {
    const sources = lookup.enrichmentSources();
    expect(sources.map((s) => s.licence)).toEqual([
      expect.stringMatching(/no licence stated/),
      'CC-BY-4.0',
      expect.stringMatching(/^CC0-1.0/),
    ]);
    expect(sources[0]?.date).toBe('2026-08-22T15:17:05Z');
    for (const s of sources.slice(1)) expect(s.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('loadOwnerLookup with fixture files', () => {
  it('reads ASN and country CSVs from the directories given, quoted names included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowhawk-ipdb-'));
    // 9.0.0.0/24 (150994944-150995199): public space, so the lookup does not short-circuit it
    writeFileSync(join(dir, 'asn-ipv4-num.csv'), '150994944,150995199,64500,"Example ""Net"", Ltd"\n');
    writeFileSync(join(dir, 'asn-ipv6-num.csv'), '');
    writeFileSync(join(dir, 'asn-country-ipv4-num.csv'), '150994944,150995199,NL\n');
    writeFileSync(join(dir, 'asn-country-ipv6-num.csv'), '');
    const lookup = await loadOwnerLookup({
      dataDir: false,
      asn: { dir, prefix: 'asn' },
      country: { dir, prefix: 'asn-country' },
    });
    expect(lookup.describeOwner('9.0.0.255')).toEqual({
      asn: 64500,
      asOrg: 'Example "Net", Ltd',
      country: 'NL',
    });
    expect(lookup.describeOwner('9.0.1.0')).toEqual({});
    expect(lookup.enrichmentSources()[1]).toMatchObject({
      name: '@ip-location-db/asn unversioned',
      date: 'unknown',
    });
  });

  it('can leave the ASN and country databases out', async () => {
    const lookup = await loadOwnerLookup({ dataDir: false, asn: false, country: false });
    expect(lookup.describeOwner('8.8.8.8')).toEqual({});
    expect(lookup.enrichmentSources()).toHaveLength(1);
  });
});

describe('versionDate', () => {
  it('reads the data date ip-location-db writes into its versions', () => {
    expect(versionDate('2.3.2026061719')).toBe('2026-06-17');
    expect(versionDate('1.0.0')).toBeUndefined();
  });
});
