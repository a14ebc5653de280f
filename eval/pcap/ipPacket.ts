/**
 * One IP packet → the fields a flow log keeps: addresses, protocol, ports, the TCP flags, its size.
 * IPv4 and IPv6 (its extension headers are not walked: the next header after the fixed 40 bytes is
 * taken as the protocol, which holds for the TCP, UDP and ICMPv6 that loopback tools send).
 * A non-first IPv4 fragment has no ports: it is reported with ports 0, as a flow log would lose them.
 */

export interface IpPacket {
  src: string;
  dst: string;
  /** IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6) */
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** raw TCP flags byte (0 for other protocols) */
  tcpFlags: number;
  /** IP total length in bytes, header included (what the flow log's `bytes` counts) */
  length: number;
  /** 4 or 6 */
  version: 4 | 6;
}

export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

export function decodeIp(ip: Uint8Array, wireLength = ip.length): IpPacket | undefined {
  const version = ip[0] === undefined ? 0 : ip[0] >> 4;
  if (version === 4 && ip.length >= 20) {
    const headerLength = ((ip[0] ?? 0) & 0x0f) * 4;
    const total = ((ip[2] ?? 0) << 8) | (ip[3] ?? 0);
    const fragmentOffset = (((ip[6] ?? 0) & 0x1f) << 8) | (ip[7] ?? 0);
    const protocol = ip[9] ?? 0;
    const l4 = fragmentOffset === 0 ? ip.subarray(headerLength) : new Uint8Array(0);
    return {
      src: ip.subarray(12, 16).join('.'),
      dst: ip.subarray(16, 20).join('.'),
      protocol,
      ...ports(protocol, l4),
      length: total || wireLength,
      version: 4,
    };
  }
  if (version === 6 && ip.length >= 40) {
    const payload = ((ip[4] ?? 0) << 8) | (ip[5] ?? 0);
    const protocol = ip[6] ?? 0;
    return {
      src: ipv6Text(ip.subarray(8, 24)),
      dst: ipv6Text(ip.subarray(24, 40)),
      protocol,
      ...ports(protocol, ip.subarray(40)),
      length: payload + 40,
      version: 6,
    };
  }
  return undefined;
}

function ports(protocol: number, l4: Uint8Array): { srcPort: number; dstPort: number; tcpFlags: number } {
  const u16 = (offset: number) =>
    l4.length >= offset + 2 ? ((l4[offset] ?? 0) << 8) | (l4[offset + 1] ?? 0) : 0;
  if (protocol === PROTO.TCP || protocol === PROTO.UDP) {
    return { srcPort: u16(0), dstPort: u16(2), tcpFlags: protocol === PROTO.TCP ? (l4[13] ?? 0) : 0 };
  }
  // VPC flow logs give ICMP ports as 0 (the AWS examples' ICMP records): type and code are not kept
  return { srcPort: 0, dstPort: 0, tcpFlags: 0 };
}

/** RFC 5952 text of a 16-byte address: lower case, the longest run of zero groups as `::`. */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
