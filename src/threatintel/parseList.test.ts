import { describe, expect, it } from 'vitest';
import { addressValue } from '../net/addresses.js';
import { parseEntry, parseThreatList, splitCsv } from './parseList.js';

const entries = (text: string, name?: string) => parseThreatList(text, name).entries.map((e) => e.entry);
const v = (address: string) => addressValue(address);

describe('parseEntry', () => {
  it('gives the first and last address of addresses, CIDRs and ranges, IPv4 mapped like addresses.ip', () => {
    expect(parseEntry('198.51.100.7')).toEqual({
      entry: '198.51.100.7',
      lo: v('198.51.100.7'),
      hi: v('198.51.100.7'),
    });
    expect(parseEntry('198.51.100.0/24')).toMatchObject({ lo: v('198.51.100.0'), hi: v('198.51.100.255') });
    expect(parseEntry('198.51.100.10 - 198.51.100.20')).toMatchObject({
      lo: v('198.51.100.10'),
      hi: v('198.51.100.20'),
    });
    expect(parseEntry('2001:db8::/32')).toMatchObject({
      lo: v('2001:db8::'),
      hi: v('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'),
    });
    expect(parseEntry('203.0.113.5:443')).toMatchObject({ entry: '203.0.113.5', lo: v('203.0.113.5') });
    // host bits set: the network the CIDR names
    expect(parseEntry('198.51.100.77/24')).toMatchObject({ lo: v('198.51.100.0') });
  });

  it('refuses what is not written as an address, and blocks that would name the internet', () => {
    for (const bad of [
      '12345',
      '127.1',
      '0x7f.0.0.1',
      '1.2.3',
      'evil.example.com',
      '1.2.3.4/33',
      '1.2.3.4/x',
      'fe80::1%eth0',
    ])
      expect(typeof parseEntry(bad), bad).toBe('string');
    expect(parseEntry('198.51.100.20-198.51.100.10')).toBe('the range ends before it starts');
    expect(parseEntry('198.51.100.20-2001:db8::1')).toBe('the range mixes IPv4 and IPv6');
    expect(parseEntry('0.0.0.0/0')).toMatch(/wider than \/8/);
    expect(parseEntry('224.0.0.0/3')).toMatch(/wider than \/8/);
    expect(parseEntry('2000::/3')).toMatch(/wider than/);
    expect(typeof parseEntry('10.0.0.0/8')).toBe('object');
  });
});

describe('parseThreatList: plain text', () => {
  it('reads one entry per line, skipping # and ; comments and blank lines, reporting bad lines by number', () => {
    const list = parseThreatList(
      [
        '# Spamhaus DROP style',
        '',
        '1.10.16.0/20 ; SBL256894',
        '198.51.100.7   # a C2 server, seen 2024-05-01',
        '203.0.113.10 - 203.0.113.20 hosting range',
        'not-an-address',
        '2001:db8::1',
        '   ',
      ].join('\n'),
    );
    expect(list.entries.map((e) => e.entry)).toEqual([
      '1.10.16.0/20',
      '198.51.100.7',
      '203.0.113.10 - 203.0.113.20',
      '2001:db8::1',
    ]);
    expect(list.problems).toEqual([
      { where: 'line 6', text: 'not-an-address', reason: 'not an IPv4 or IPv6 address or CIDR' },
    ]);
  });

  it('is not taken for CSV by a comma inside a comment', () => {
    expect(entries('198.51.100.7 # seen twice, in May\n198.51.100.8\n')).toEqual([
      '198.51.100.7',
      '198.51.100.8',
    ]);
  });

  it('copes with CRLF line ends and a byte-order mark', () => {
    expect(entries('\uFEFF198.51.100.7\r\n198.51.100.8\r\n')).toEqual(['198.51.100.7', '198.51.100.8']);
  });
});

describe('parseThreatList: CSV', () => {
  it('reads the ip column of abuse.ch Feodo Tracker CSV, whose header is a comment', () => {
    const feodo = [
      '################################################################',
      '# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #',
      '################################################################',
      '#',
      '# "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"',
      '"2021-01-17 07:30:05","198.51.100.7","443","online","2024-05-01","Dridex"',
      '"2021-01-18 07:30:05","203.0.113.99","8080","offline","2024-04-01","QakBot"',
      '# "END" 2 entries',
    ].join('\n');
    expect(entries(feodo)).toEqual(['198.51.100.7', '203.0.113.99']);
  });

  it('takes a column named ip (or indicator, cidr) from a header row, else the first column', () => {
    expect(entries('first_seen,indicator,note\n2024-01-01,198.51.100.7,"tor, exit"\n')).toEqual([
      '198.51.100.7',
    ]);
    expect(entries('198.51.100.7,c2\n203.0.113.0/24,scanner\n', 'list.csv')).toEqual([
      '198.51.100.7',
      '203.0.113.0/24',
    ]);
    expect(entries('host,comment\n198.51.100.7,x\n')).toEqual(['198.51.100.7']);
    const bad = parseThreatList('ip,comment\n198.51.100.7,x\n1.2.3,typo\n');
    expect(bad.problems).toEqual([{ where: 'line 3', text: '1.2.3', reason: expect.any(String) }]);
  });

  it('splits quoted fields as RFC 4180 does', () => {
    expect(splitCsv('a,"b,c","d ""e"""')).toEqual(['a', 'b,c', 'd "e"']);
  });
});

describe('parseThreatList: JSON', () => {
  it('reads address indicators of a STIX 2.1 bundle, ignoring other and revoked indicators', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        { type: 'identity', id: 'identity--1', name: 'feed' },
        { type: 'indicator', pattern_type: 'stix', pattern: "[ipv4-addr:value = '198.51.100.7']" },
        {
          type: 'indicator',
          pattern_type: 'stix',
          pattern: "[ipv4-addr:value = '203.0.113.1' OR ipv6-addr:value ISSUBSET '2001:db8:1::/48']",
        },
        { type: 'indicator', pattern_type: 'stix', pattern: "[domain-name:value = 'evil.example']" },
        {
          type: 'indicator',
          pattern_type: 'stix',
          pattern: "[ipv4-addr:value = '192.0.2.1']",
          revoked: true,
        },
        { type: 'indicator', pattern_type: 'sigma', pattern: 'title: x' },
        {
          type: 'indicator',
          pattern_type: 'stix',
          pattern: "[ipv4-addr:value = '192.0.2.2' AND network-traffic:dst_port = 443]",
        },
        { type: 'indicator', pattern_type: 'stix', pattern: "[ipv4-addr:value = '999.1.1.1']" },
      ],
    };
    const list = parseThreatList(JSON.stringify(bundle));
    expect(list.entries.map((e) => e.entry)).toEqual(['198.51.100.7', '203.0.113.1', '2001:db8:1::/48']);
    expect(list.ignored).toBe(3);
    expect(list.problems.map((p) => [p.where, p.reason])).toEqual([
      ['objects[6]', expect.stringContaining('combined with other conditions')],
      ['objects[7]', 'not an IPv4 or IPv6 address or CIDR'],
    ]);
  });

  it('reads a JSON array of strings or of objects with an ip field', () => {
    const list = parseThreatList(
      JSON.stringify(['198.51.100.7', { ip: '203.0.113.9', note: 'scanner' }, { host: 'x' }, 42]),
    );
    expect(list.entries.map((e) => e.entry)).toEqual(['198.51.100.7', '203.0.113.9']);
    expect(list.problems.map((p) => p.where)).toEqual(['[2]', '[3]']);
  });

  it('reports a broken or foreign JSON document as one problem, without throwing', () => {
    expect(parseThreatList('{"objects": ').problems[0]).toMatchObject({ where: 'file' });
    expect(parseThreatList('{"data": []}').problems[0]?.reason).toMatch(/STIX bundle/);
  });
});

describe('parseThreatList: hostile text', () => {
  it('blanks control characters in what it reports, so a feed cannot write terminal escapes', () => {
    const [problem] = parseThreatList('\u001b[2J\u001b[31mgotcha\n').problems;
    expect(problem?.text).toBe(' [2J [31mgotcha');
  });
});
