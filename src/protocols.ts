/**
 * IANA protocol numbers flow logs carry, by their usual names: one table for every explanation and
 * output, so the page, the report and the exports never name one protocol two ways.
 */
const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPv4',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  89: 'OSPF',
  132: 'SCTP',
};

/** The protocol's name, or undefined for a number without a usual one. */
export const knownProtocolName = (protocol: number): string | undefined => PROTOCOL_NAMES[protocol];

/** "TCP", or "protocol 253" for a number without a usual name. */
export const protocolName = (protocol: number): string => PROTOCOL_NAMES[protocol] ?? `protocol ${protocol}`;

/** For a table cell or a port label: "TCP", or the bare number ("253") for one without a usual name. */
export const protocolLabel = (protocol: number): string => PROTOCOL_NAMES[protocol] ?? String(protocol);
