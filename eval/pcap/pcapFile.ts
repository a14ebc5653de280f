/**
 * Classic pcap (what `tcpdump -w` writes) → the IP packets inside it, with their capture times.
 * pcapng is not read: tcpdump writes classic pcap unless told otherwise, and the captures here are
 * made by eval/captures/record.sh.
 *
 * Link types: Ethernet (DLT_EN10MB, what Linux gives `lo`), Linux cooked v1 and v2 (`-i any`), raw IP
 * and BSD loopback (DLT_NULL, macOS `lo0`). On a cooked capture of `-i any` a loopback packet is seen
 * twice, once leaving and once arriving: the leaving copy (packet type OUTGOING) is dropped.
 */

export interface CapturedPacket {
  /** capture time, seconds since the epoch */
  time: number;
  /** the IP packet (v4 or v6), from its first header byte; may be truncated by the snap length */
  ip: Uint8Array;
  /** the IP packet's length on the wire (captured bytes may be fewer) */
  wireLength: number;
}

export interface PcapContents {
  linkType: number;
  packets: CapturedPacket[];
  /** records skipped: a link type or ethertype that carries no IP, or a cooked OUTGOING copy */
  skipped: number;
}

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
export const LINKTYPE = { NULL: 0, EN10MB: 1, RAW: 101, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const SLL_OUTGOING = 4;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export function readPcap(bytes: Uint8Array): PcapContents {
  if (bytes.length < GLOBAL_HEADER) throw new Error('pcap: shorter than its 24-byte header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBe = view.getUint32(0, false);
  const magicLe = view.getUint32(0, true);
  const little = magicLe === MAGIC_USEC || magicLe === MAGIC_NSEC;
  if (!little && magicBe !== MAGIC_USEC && magicBe !== MAGIC_NSEC) {
    throw new Error('pcap: not a classic pcap file (pcapng is not read: capture with tcpdump -w)');
  }
  const fractionScale = (little ? magicLe : magicBe) === MAGIC_NSEC ? 1e9 : 1e6;
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  const packets: CapturedPacket[] = [];
  let skipped = 0;
  let at = GLOBAL_HEADER;
  while (at + RECORD_HEADER <= bytes.length) {
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const original = view.getUint32(at + 12, little);
    const start = at + RECORD_HEADER;
    // a record cut short at the end of the file (tcpdump killed mid-write) is dropped
    if (start + captured > bytes.length) break;
    const frame = bytes.subarray(start, start + captured);
    at = start + captured;
    const ip = ipPayload(linkType, frame, little);
    if (!ip) {
      skipped++;
      continue;
    }
    const linkHeader = captured - ip.length;
    packets.push({ time: seconds + fraction / fractionScale, ip, wireLength: original - linkHeader });
  }
  return { linkType, packets, skipped };
}

/** The IP packet inside one link-layer frame, or undefined when it carries none. */
function ipPayload(linkType: number, frame: Uint8Array, little: boolean): Uint8Array | undefined {
  const u16 = (offset: number) =>
    frame.length >= offset + 2 ? ((frame[offset] ?? 0) << 8) | (frame[offset + 1] ?? 0) : -1;
  const byEthertype = (type: number, offset: number) =>
    type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? frame.subarray(offset) : undefined;
  switch (linkType) {
    case LINKTYPE.EN10MB: {
      const type = u16(12);
      return type === ETHERTYPE_VLAN ? byEthertype(u16(16), 18) : byEthertype(type, 14);
    }
    case LINKTYPE.LINUX_SLL:
      if (u16(0) === SLL_OUTGOING) return undefined;
      return byEthertype(u16(14), 16);
    case LINKTYPE.LINUX_SLL2:
      if (frame[10] === SLL_OUTGOING) return undefined;
      return byEthertype(u16(0), 20);
    case LINKTYPE.RAW:
      return frame.length > 0 ? frame : undefined;
    case LINKTYPE.NULL: {
      if (frame.length < 4) return undefined;
      // the address family is in the capturing host's byte order, which the magic tells
      const family = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, little);
      return family === 2 || family === 24 || family === 28 || family === 30 ? frame.subarray(4) : undefined;
    }
    default:
      throw new Error(
        `pcap: link type ${linkType} is not read (Ethernet, Linux cooked, raw IP, BSD loopback are)`,
      );
  }
}
