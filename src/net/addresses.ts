import ipaddr from 'ipaddr.js';
import { FlowhawkError } from '../errors.js';

/**
 * Address maths: an IP address as one 128-bit number, IPv4 mapped into ::ffff:0:0/96, the form the
 * store's fh_ip macro gives addresses.ip (store/ipMacros.ts), and CIDR ranges as the numbers they span.
 * Pure functions, no SQL: the config, the allowlist, the threat lists and the detectors' tables all
 * measure addresses this one way.
 */

/** ::ffff:0.0.0.0 */
export const IPV4_MAPPED_BASE = 0xffff_0000_0000n;

export interface NumericRange {
  cidr: string;
  /** first and last address, 128-bit, IPv4 mapped into ::ffff:0:0/96 like addresses.ip */
  lo: bigint;
  hi: bigint;
}

/** CIDR (or a bare address) → its numeric range; throws a FlowhawkError naming `where` when invalid. */
export function cidrRange(cidr: string, where: string): NumericRange {
  const text = cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    throw new FlowhawkError(
      'CONFIG',
      `${where}: "${cidr}" is not an IPv4 or IPv6 address or CIDR`,
      'write it like 10.0.0.0/8 or 2001:db8::/32',
    );
  }
  const [address, bits] = parsed;
  const width = address.kind() === 'ipv4' ? 32 : 128;
  const value = address.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const hostBits = BigInt(width - bits);
  const network = (value >> hostBits) << hostBits;
  const last = network | ((1n << hostBits) - 1n);
  const base = address.kind() === 'ipv4' ? IPV4_MAPPED_BASE : 0n;
  return { cidr, lo: base + network, hi: base + last };
}

/** An address as its 128-bit value (IPv4 mapped), or undefined when it is not an address. */
export function addressValue(address: string): bigint | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.parse(address);
  const value = parsed.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  return parsed.kind() === 'ipv4' ? IPV4_MAPPED_BASE + value : value;
}

export function inRange(address: string, range: NumericRange): boolean {
  const value = addressValue(address);
  return value !== undefined && value >= range.lo && value <= range.hi;
}

/**
 * 4 or 6 for an IPv4 address (four decimal parts, as node:net's isIP reads it) or an IPv6 address, 0
 * for anything else: the outputs and readers ask this of actors and targets, which may be interface
 * ids, and the core must not depend on node:net.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 4;
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return 6;
  return 0;
}
