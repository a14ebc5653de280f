import { ipFamily } from '../net/addresses.js';
import type { RecordSink } from './recordSink.js';
import { layoutFromNames, type VpcLayout } from './vpcText.js';

/**
 * Bidirectional flow records (Zeek conn.log, Argus) as the unidirectional rows of a VPC flow log.
 *
 * A VPC record counts the packets one way, from srcaddr to dstaddr; a Zeek or Argus record counts both
 * ways of a connection. Each becomes one row originator → responder with the originator's packets,
 * bytes and flags, and a second row responder → originator when the responder sent anything, both at
 * the record's line. The rows go through the same validating transform as VPC text, in this layout.
 * There is no `action`: a capture has no security group, and flowhawk never invents ACCEPT.
 */
export const BIFLOW_LAYOUT: VpcLayout = layoutFromNames([
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'tcp-flags',
]);

/** One side of a connection: what it sent. Undefined where the record does not say. */
export interface Side {
  addr: string;
  port: number | undefined;
  packets: number | undefined;
  bytes: number | undefined;
  flags: number | undefined;
}

export interface Biflow {
  orig: Side;
  resp: Side;
  protocol: number | undefined;
  /** Unix seconds as exact decimal text (see epochSeconds.ts) */
  start: string;
  end: string;
}

/**
 * True for an address the store can hold: IPv4 dotted quad or IPv6, without a zone (`%eth0`), which
 * the store's address conversion rejects. Checked here so that both rows of a record stand or fall
 * together: the transform would otherwise report one bad line per row.
 */
export function isIpAddress(text: string): boolean {
  return ipFamily(text) !== 0 && !text.includes('%');
}

const sent = (side: Side) => (side.packets ?? 0) > 0 || (side.bytes ?? 0) > 0;
const known = (side: Side) => side.packets !== undefined || side.bytes !== undefined;
const text = (value: number | undefined) => (value === undefined ? '-' : String(value));

/**
 * Emits the rows of one record. The forward row is left out only when the originator is known to
 * have sent nothing and the responder sent something (Argus `<-` records, Zeek connections seen only
 * from the answering side): a row of zero packets from the originator would claim traffic that
 * nobody saw. Every record yields at least one row, so every line is accounted for.
 *
 * ICMP has no ports: the originator's "port" is the ICMP type and the responder's the code, so the
 * forward row has src_port = type, dst_port = code and the reply row the two swapped, like any
 * port pair. That keeps both rows on one 5-tuple, which is how connection reconstruction pairs a
 * request with its reply, and leaves the type on the initiator's side. VPC itself logs 0 and 0
 * for ICMP; these formats know more, and a detector may use it.
 */
export async function emitBiflow(sink: RecordSink, line: number, flow: Biflow): Promise<void> {
  const { orig, resp, protocol, start, end } = flow;
  const row = (from: Side, to: Side, ports: readonly [number | undefined, number | undefined]) =>
    sink.row(BIFLOW_LAYOUT, line, [
      from.addr,
      to.addr,
      text(ports[0]),
      text(ports[1]),
      text(protocol),
      text(from.packets),
      text(from.bytes),
      start,
      end,
      text(from.flags),
    ]);
  const reverse = known(resp) && sent(resp);
  if (!reverse || !known(orig) || sent(orig)) await row(orig, resp, [orig.port, resp.port]);
  if (reverse) await row(resp, orig, [resp.port, orig.port]);
}
