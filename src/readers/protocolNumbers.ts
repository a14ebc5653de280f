/**
 * Protocol names as Zeek and Argus print them, to the IANA protocol numbers the flows table holds
 * (what VPC logs carry). A small table of what capture tools actually print, not the whole registry:
 * a name missing here becomes a bad line that says so, rather than a guess.
 */

const IANA: Readonly<Record<string, number>> = {
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ipip: 4,
  ipv4: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  dccp: 33,
  ipv6: 41, // IPv6 carried in IPv4 (6in4); Argus prints the encapsulating flow under this name
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  icmp6: 58,
  icmpv6: 58,
  'ipv6-icmp': 58,
  eigrp: 88,
  ospf: 89,
  ospfigp: 89,
  encap: 98,
  pim: 103,
  ipcomp: 108,
  vrrp: 112,
  l2tp: 115,
  isis: 124,
  sctp: 132,
  udplite: 136,
  // Argus names UDP flows after the application it recognised in them
  rtp: 17,
  rtcp: 17,
  udt: 17,
};

/** Link-layer and non-IP records: their "addresses" are MACs or ARP targets, there is no IP flow. */
const NOT_IP = new Set([
  'arp',
  'rarp',
  'aarp',
  'llc',
  'lldp',
  'stp',
  'cdp',
  'ipx',
  'ipx/spx',
  'eapol',
  'lacp',
  'pppoe',
  'vlan',
  'mpls',
]);

export type ProtocolLookup = { number: number } | { notIp: true } | { unknown: true };

/**
 * Looks a protocol up by name (case-insensitive) or as a decimal number 0-255, which Argus prints
 * for protocols it has no name for.
 */
export function protocolNumber(name: string): ProtocolLookup {
  const key = name.trim().toLowerCase();
  if (/^\d{1,3}$/.test(key) && Number(key) <= 255) return { number: Number(key) };
  const number = IANA[key];
  if (number !== undefined) return { number };
  if (NOT_IP.has(key)) return { notIp: true };
  return { unknown: true };
}

export const ICMP = 1;
export const ICMPV6 = 58;
export const TCP = 6;

export function isIcmp(protocol: number | undefined): boolean {
  return protocol === ICMP || protocol === ICMPV6;
}
