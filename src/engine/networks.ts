import type { NumericRange } from '../net/addresses.js';
import type { Dialect } from '../store/dialect.js';

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

/**
 * SQL creating fh_networks (lo, hi) and fh_address_facts (addr, internal 0/1, aws_service, aws_region)
 * from the addresses table; needs fh_aws_ranges (awsRangesTable.ts), empty when there are no ranges.
 */
export function networkTablesSql(d: Dialect, ranges: readonly NumericRange[]): string[] {
  const rows = ranges.map((r) => `(${d.addressLiteral(r.lo)}, ${d.addressLiteral(r.hi)})`).join(', ');
  return [
    d.createTable('fh_networks', { lo: 'address', hi: 'address' }),
    ...(rows ? [`INSERT INTO fh_networks VALUES ${rows}`] : []),
    // VPC IPv6 addresses are global, so no private range covers them; but an interface's own address
    // is the destination of its ingress records and the source of its egress ones: those are ours.
    d.createTableAs(
      'fh_interface_addresses',
      `SELECT DISTINCT CASE WHEN flow_direction = 'ingress' THEN dst_addr ELSE src_addr END AS addr
       FROM flows
       WHERE flow_direction IN ('ingress', 'egress') AND interface_id IS NOT NULL
         AND (src_addr LIKE '%:%' OR dst_addr LIKE '%:%')`,
    ),
    // the AWS owner by an ASOF join (the range starting last at or below the address, if it also
    // ends at or above it): fh_aws_ranges does not overlap, and a BETWEEN join of every address with
    // 8,000 ranges would cost more than the rest of this statement
    // the internal addresses by a cross join filtered on the range: ClickHouse joins on equality
    // only, and DuckDB plans the filter as the same range join its LEFT JOIN ON BETWEEN was
    d.createTableAs(
      'fh_address_facts',
      `WITH inside AS (
         SELECT DISTINCT a.addr FROM addresses a CROSS JOIN fh_networks n WHERE a.ip BETWEEN n.lo AND n.hi
       ),
       facts AS (
         SELECT a.addr, any_value(a.ip) AS ip, 0 AS asof_key,
           CASE WHEN a.addr IN (SELECT addr FROM inside)
             OR a.addr IN (SELECT addr FROM fh_interface_addresses) THEN 1 ELSE 0 END AS internal
         FROM addresses a
         GROUP BY a.addr
       )
       SELECT f.addr, f.internal,
         CASE WHEN f.internal = 0 AND f.ip <= r.hi THEN r.service END AS aws_service,
         CASE WHEN f.internal = 0 AND f.ip <= r.hi THEN r.region END AS aws_region
       FROM facts f ${d.asofLeftJoin('fh_aws_ranges', 'r', 'f', 'f.ip >= r.lo')}`,
    ),
  ];
}
