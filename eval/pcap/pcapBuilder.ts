/**
 * Builds tiny classic pcap files in memory, for the converter's tests: a test states its packets
 * (addresses, ports, flags, payload size, time) and gets the bytes tcpdump would have written.
 * Internal to the tests; the converter never imports it.
 */

export interface PacketSpec {
  time: number;
  src: string;
  dst: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  srcPort?: number;
  dstPort?: number;
  /** raw TCP flags byte: 0x02 SYN, 0x12 SYN-ACK, 0x10 ACK, 0x11 FIN-ACK, 0x04 RST, 0x14 RST-ACK */
  flags?: number;
  payload?: number;
}

const PROTOCOL = { tcp: 6, udp: 17, icmp: 1 } as const;

/** An IPv4 packet: a 20-byte header, then a 20-byte TCP, 8-byte UDP or 8-byte ICMP header, then zeros. */
export function ipv4Packet(spec: PacketSpec): Uint8Array {
  const l4Header = spec.protocol === 'tcp' ? 20 : 8;
  const total = 20 + l4Header + (spec.payload ?? 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, total);
  view.setUint8(8, 64);
  view.setUint8(9, PROTOCOL[spec.protocol]);
  bytes.set(spec.src.split('.').map(Number), 12);
  bytes.set(spec.dst.split('.').map(Number), 16);
  if (spec.protocol === 'icmp') {
    view.setUint8(20, 8);
  } else {
    view.setUint16(20, spec.srcPort ?? 0);
    view.setUint16(22, spec.dstPort ?? 0);
    if (spec.protocol === 'tcp') {
      view.setUint8(32, 0x50);
      view.setUint8(33, spec.flags ?? 0);
    }
  }
  return bytes;
}

export interface PcapOptions {
  /** 1 Ethernet (default), 113 Linux cooked */
  linkType?: 1 | 113;
  littleEndian?: boolean;
  nanoseconds?: boolean;
  /** for Linux cooked: the packet type of each packet (4 = OUTGOING) */
  packetTypes?: number[];
}

export function buildPcap(packets: readonly PacketSpec[], options: PcapOptions = {}): Uint8Array {
  const little = options.littleEndian ?? true;
  const linkType = options.linkType ?? 1;
  const frames = packets.map((spec, i) => {
    const ip = ipv4Packet(spec);
    const linkHeader = linkType === 1 ? 14 : 16;
    const frame = new Uint8Array(linkHeader + ip.length);
    const view = new DataView(frame.buffer);
    if (linkType === 1) view.setUint16(12, 0x0800);
    else {
      view.setUint16(0, options.packetTypes?.[i] ?? 0);
      view.setUint16(14, 0x0800);
    }
    frame.set(ip, linkHeader);
    return { spec, frame };
  });
  const size = 24 + frames.reduce((n, f) => n + 16 + f.frame.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  view.setUint32(16, 262144, little);
  view.setUint32(20, linkType, little);
  let at = 24;
  for (const { spec, frame } of frames) {
    const seconds = Math.floor(spec.time);
    const fraction = Math.round((spec.time - seconds) * (options.nanoseconds ? 1e9 : 1e6));
    view.setUint32(at, seconds, little);
    view.setUint32(at + 4, fraction, little);
    view.setUint32(at + 8, frame.length, little);
    view.setUint32(at + 12, frame.length, little);
    out.set(frame, at + 16);
    at += 16 + frame.length;
  }
  return out;
}
