import ipaddr from 'ipaddr.js';
import { FlowhawkError } from '../errors.js';
import { IPV4_MAPPED_BASE } from '../store/ipMacros.js';

/**
 * The monitored networks: addresses inside them are "internal", everything else is the internet.
 * Direction (inbound, outbound, internal) and most thresholds depend on it.
 *
 * Default: the private and shared ranges a VPC can use (RFC 1918, RFC 6598), loopback, link-local and
 * IPv6 unique-local, plus the IPv6 addresses of the logged interfaces themselves (told by
 * flow-direction). Users with public address space inside their network (a university, a VPC using
 * public ranges privately) add it with `internalNetworks` in the config.
 */
export const DEFAULT_INTERNAL_NETWORKS: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

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

/**
 * SQL creating fh_networks (lo, hi) and fh_address_facts (addr, internal 0/1, aws_service, aws_region)
 * from the addresses table; needs fh_aws_ranges (awsRangesSql.ts), empty when there are no ranges.
 */
export function networkTablesSql(ranges: readonly NumericRange[]): string[] {
  const rows = ranges.map((r) => `(${r.lo}::UHUGEINT, ${r.hi}::UHUGEINT)`).join(', ');
  return [
    'CREATE OR REPLACE TEMP TABLE fh_networks (lo UHUGEINT, hi UHUGEINT)',
    ...(rows ? [`INSERT INTO fh_networks VALUES ${rows}`] : []),
    // VPC IPv6 addresses are global, so no private range covers them; but an interface's own address
    // is the destination of its ingress records and the source of its egress ones: those are ours.
    `CREATE OR REPLACE TEMP TABLE fh_interface_addresses AS
       SELECT DISTINCT CASE WHEN flow_direction = 'ingress' THEN dst_addr ELSE src_addr END AS addr
       FROM flows
       WHERE flow_direction IN ('ingress', 'egress') AND interface_id IS NOT NULL
         AND (src_addr LIKE '%:%' OR dst_addr LIKE '%:%')`,
    // the AWS owner by an ASOF join (the range starting last at or below the address, if it also
    // ends at or above it): fh_aws_ranges does not overlap, and a BETWEEN join of every address with
    // 8,000 ranges would cost more than the rest of this statement
    `CREATE OR REPLACE TEMP TABLE fh_address_facts AS
       WITH facts AS (
         SELECT a.addr, any_value(a.ip) AS ip,
           CASE WHEN max(CASE WHEN n.lo IS NULL THEN 0 ELSE 1 END) = 1
             OR a.addr IN (SELECT addr FROM fh_interface_addresses) THEN 1 ELSE 0 END AS internal
         FROM addresses a LEFT JOIN fh_networks n ON a.ip BETWEEN n.lo AND n.hi
         GROUP BY a.addr
       )
       SELECT f.addr, f.internal,
         CASE WHEN f.internal = 0 AND f.ip <= r.hi THEN r.service END AS aws_service,
         CASE WHEN f.internal = 0 AND f.ip <= r.hi THEN r.region END AS aws_region
       FROM facts f ASOF LEFT JOIN fh_aws_ranges r ON f.ip >= r.lo`,
  ];
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
