import { expect, it } from 'vitest';
import { protocolNumber } from './protocolNumbers.js';

it('maps names and numbers to IANA numbers, and knows link-layer names are not IP', () => {
  expect(protocolNumber('tcp')).toEqual({ number: 6 });
  expect(protocolNumber('UDP')).toEqual({ number: 17 });
  expect(protocolNumber('ipv6-icmp')).toEqual({ number: 58 });
  expect(protocolNumber('icmp6')).toEqual({ number: 58 });
  expect(protocolNumber('rtp')).toEqual({ number: 17 });
  expect(protocolNumber('132')).toEqual({ number: 132 });
  expect(protocolNumber('arp')).toEqual({ notIp: true });
  expect(protocolNumber('llc')).toEqual({ notIp: true });
  expect(protocolNumber('256')).toEqual({ unknown: true });
  expect(protocolNumber('frobnicate')).toEqual({ unknown: true });
});
