import { sqlIntList } from '../store/dialect.js';

/**
 * Connections from the monitored networks to hosts on the internet, as the C2 detectors (beacon,
 * longconn) read them from fh_connections: client internal, server external, and the server a host,
 * not a multicast group or the broadcast address (mDNS, SSDP and LLMNR announce themselves on a timer
 * to 224.0.0.0/4 and ff00::/8, which are outside every private range).
 */

/** Name resolution and time: periodic and long-lived by design, to a handful of public servers. */
export const INFRASTRUCTURE_PORTS: readonly number[] = [
  53, // DNS: every lookup; DNS tunnelling is a resolver detector's matter
  123, // NTP: polls on a power-of-two schedule (64-1024 s), often from a fixed port
  853, // DNS over TLS
];

/**
 * AWS address ranges (pkt-dst-aws-service) where anyone can run a server: a beacon or long connection
 * to them may well be C2 (instances, CloudFront and API Gateway as C2 redirectors). Every other AWS
 * service name marks an AWS endpoint (S3, DynamoDB, the AMAZON ranges of the regional APIs that the SSM
 * and CloudWatch agents call all day), reported at info only.
 */
export const CUSTOMER_HOSTED_AWS_SERVICES: readonly string[] = [
  'EC2',
  'CLOUDFRONT',
  'API_GATEWAY',
  'GLOBALACCELERATOR',
];

/** The AWS service a server address belongs to, when it is an AWS endpoint no customer controls. */
export function awsEndpoint(service: string | null | undefined): string | undefined {
  if (!service || CUSTOMER_HOSTED_AWS_SERVICES.includes(service)) return undefined;
  return service;
}

/** SQL: `column` holds a multicast or broadcast address (IPv4 224.0.0.0/4 or 255.255.255.255, IPv6 ff00::/8). */
export function multicastSql(column: string): string {
  const v4 = Array.from({ length: 16 }, (_, i) => `${column} LIKE '${224 + i}.%'`);
  return `(${[...v4, `${column} = '255.255.255.255'`, `lower(${column}) LIKE 'ff__:%'`].join(' OR ')})`;
}

/** SQL: internal client, internet server that is a host (not a multicast or broadcast group). */
const OUTBOUND_TO_HOST = `client_internal = 1 AND server_internal = 0 AND NOT ${multicastSql('server')}`;

/** SQL: on `protocols`, to a server port other than `excludedPorts`. */
function servicesSql(protocols: readonly number[], excludedPorts: readonly number[]): string {
  const ports = excludedPorts.length > 0 ? ` AND server_port NOT IN (${sqlIntList(excludedPorts)})` : '';
  return `protocol IN (${sqlIntList(protocols)})${ports}`;
}

/** SQL condition over fh_connections: outbound to an internet host, on `protocols`, off `excludedPorts`. */
export function outboundToHostsSql(protocols: readonly number[], excludedPorts: readonly number[]): string {
  return `${OUTBOUND_TO_HOST} AND ${servicesSql(protocols, excludedPorts)}`;
}

/**
 * SQL condition over fh_connections: across the edge on `protocols`, off `excludedPorts`: outbound to
 * an internet host (as outboundToHostsSql), or inbound from an internet host to an internal one.
 */
export function edgeToHostsSql(protocols: readonly number[], excludedPorts: readonly number[]): string {
  return `${servicesSql(protocols, excludedPorts)}
      AND ((${OUTBOUND_TO_HOST}) OR (client_internal = 0 AND server_internal = 1))`;
}
