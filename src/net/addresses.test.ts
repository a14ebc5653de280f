import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowhawkError } from '../errors.js';
import { addressValue, cidrRange, IPV4_MAPPED_BASE, inRange, ipFamily } from './addresses.js';

describe('address maths', () => {
  it('measures IPv4 inside ::ffff:0:0/96, as the store does', () => {
    expect(addressValue('0.0.0.0')).toBe(IPV4_MAPPED_BASE);
    expect(addressValue('10.0.0.1')).toBe(IPV4_MAPPED_BASE + 0x0a00_0001n);
    expect(addressValue('::ffff:10.0.0.1')).toBe(addressValue('10.0.0.1'));
    expect(addressValue('2001:db8::1')).toBe(0x2001_0db8n * 2n ** 96n + 1n);
    expect(addressValue('-')).toBeUndefined();
    expect(addressValue('10.0.0.256')).toBeUndefined();
  });

  it('turns a CIDR or a bare address into the range it spans', () => {
    expect(cidrRange('10.0.0.0/8', 'x')).toEqual({
      cidr: '10.0.0.0/8',
      lo: IPV4_MAPPED_BASE + 0x0a00_0000n,
      hi: IPV4_MAPPED_BASE + 0x0aff_ffffn,
    });
    // host bits set are cleared, as a network is meant
    expect(cidrRange('10.1.2.3/16', 'x').lo).toBe(addressValue('10.1.0.0'));
    expect(cidrRange('192.0.2.7', 'x')).toMatchObject({
      lo: addressValue('192.0.2.7'),
      hi: addressValue('192.0.2.7'),
    });
    const v6 = cidrRange('2001:db8::/32', 'x');
    expect([v6.lo, v6.hi]).toEqual([
      addressValue('2001:db8::'),
      addressValue('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'),
    ]);
  });

  it('names where a bad range was written', () => {
    expect(() => cidrRange('10.0.0.0/33', 'internalNetworks[2]')).toThrow(FlowhawkError);
    expect(() => cidrRange('example.com', 'internalNetworks[2]')).toThrow(
      /internalNetworks\[2\]: "example.com"/,
    );
  });

  it('tells whether an address is inside a range, its ends included', () => {
    const range = cidrRange('10.0.0.0/30', 'x');
    expect(['10.0.0.0', '10.0.0.3', '10.0.0.4', '9.255.255.255', '-'].map((a) => inRange(a, range))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(inRange('::ffff:10.0.0.2', range)).toBe(true);
  });
});

describe('ipFamily', () => {
  const samples = [
    '10.0.0.1',
    '255.255.255.255',
    '256.1.1.1',
    '010.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '0x0a.0.0.1',
    '::',
    '::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    'fe80::1%eth0',
    '2001:db8:::1',
    '2001:db8::g',
    'eni-0123456789abcdef0',
    '',
    ' 10.0.0.1',
    '1::2::3',
  ];

  it.each(samples)("agrees with node:net's isIP on %j", (text) => {
    expect(ipFamily(text)).toBe(isIP(text));
  });

  it("agrees with node:net's isIP on generated addresses and near-addresses", () => {
    const v4 = fc
      .tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 300 })))
      .map((p) => p.join('.'));
    const v6 = fc.ipV6();
    const noise = fc.string({ unit: fc.constantFrom(...'0123456789abcdef:.%'.split('')), maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(v4, v6, noise), (text) => {
        expect(ipFamily(text)).toBe(isIP(text));
      }),
    );
  });
});
