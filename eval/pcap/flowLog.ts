import { DEFAULT_V2_FIELDS } from '../../src/readers/vpcFields.js';
import type { IpPacket } from './ipPacket.js';
import { PROTO } from './ipPacket.js';
import { admits, inCidr, type Plan, type PlannedHost } from './plan.js';

/**
 * Packets → VPC flow log records, as AWS makes them: one record per network interface, direction and
 * 5-tuple per aggregation window, with packets and bytes summed, first and last packet times, and the
 * TCP flags OR-ed in AWS's values (FIN 1, SYN 2, RST 4, SYN-ACK 18; ACK and PSH alone are not logged).
 *
 * Each planned host's security group is stateful, as AWS's are: a packet the host sent opens the
 * 5-tuple for its replies, and a new inbound packet is admitted only by an inbound rule. An inbound
 * packet the group does not admit is logged REJECT on the receiver's interface and dropped: the host
 * never got it, so whatever its loopback kernel answered (a RST, a SYN-ACK) is dropped too and not
 * logged anywhere. Traffic between two planned hosts is logged twice, egress on the sender's
 * interface and ingress on the receiver's, as in a VPC.
 *
 * Windows are aligned on multiples of the interval since the epoch, which is how a 1-minute Nitro
 * capture window reads in practice; AWS does not document the alignment.
 */

export interface TimedPacket {
  time: number;
  packet: IpPacket;
}

export interface FlowRecord {
  eni: string;
  host: PlannedHost;
  direction: 'ingress' | 'egress';
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT';
  tcpFlags: number;
  version: 4 | 6;
}

export interface Conversion {
  records: FlowRecord[];
  /** packets between addresses the plan does not name, or that touch no planned host */
  unplanned: number;
  /** packets dropped as replies to what a security group rejected */
  droppedReplies: number;
  /** packets from a host's address that were forged elsewhere (plan: forged), not logged on its ENI */
  forged: number;
}

const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, ACK: 0x10 } as const;

/** A TCP flags byte in the values VPC flow logs record. */
export function awsTcpFlags(raw: number): number {
  let flags = 0;
  if (raw & TCP.FIN) flags |= 1;
  if (raw & TCP.RST) flags |= 4;
  if (raw & TCP.SYN) flags |= raw & TCP.ACK ? 18 : 2;
  return flags;
}

export function toFlowRecords(packets: readonly TimedPacket[], plan: Plan): Conversion {
  const hosts = new Map(plan.hosts.map((h) => [h.loopback, h]));
  const mapped = (loopback: string) => hosts.get(loopback)?.address ?? plan.others?.[loopback];
  /** per host: directional flow keys it may receive (it sent on them, or a rule admitted them) */
  const open = new Map<PlannedHost, Set<string>>(plan.hosts.map((h) => [h, new Set()]));
  /** flow keys whose inbound packets a group rejected: the receiver's replies on them never leave */
  const rejected = new Set<string>();
  const records = new Map<string, FlowRecord>();
  let unplanned = 0;
  let droppedReplies = 0;
  let forged = 0;

  const add = (
    time: number,
    p: IpPacket,
    host: PlannedHost,
    direction: FlowRecord['direction'],
    action: FlowRecord['action'],
  ) => {
    const src = mapped(p.src) ?? p.src;
    const dst = mapped(p.dst) ?? p.dst;
    const window = Math.floor(time / plan.intervalSeconds);
    const key = [host.eni, direction, src, dst, p.srcPort, p.dstPort, p.protocol, window, action].join('|');
    const second = Math.floor(time);
    const record = records.get(key);
    const flags = p.protocol === PROTO.TCP ? awsTcpFlags(p.tcpFlags) : 0;
    if (record) {
      record.packets++;
      record.bytes += p.length;
      record.end = Math.max(record.end, second);
      record.tcpFlags |= flags;
      return;
    }
    records.set(key, {
      eni: host.eni,
      host,
      direction,
      src,
      dst,
      srcPort: p.srcPort,
      dstPort: p.dstPort,
      protocol: p.protocol,
      packets: 1,
      bytes: p.length,
      start: second,
      end: second,
      action,
      tcpFlags: flags,
      version: p.version,
    });
  };

  for (const { time, packet: p } of packets) {
    const sender = hosts.get(p.src);
    const receiver = hosts.get(p.dst);
    if (mapped(p.src) === undefined || mapped(p.dst) === undefined || (!sender && !receiver)) {
      unplanned++;
      continue;
    }
    const forward = flowKey(p.protocol, p.src, p.srcPort, p.dst, p.dstPort);
    const reverse = flowKey(p.protocol, p.dst, p.dstPort, p.src, p.srcPort);
    if (sender?.forged) {
      forged++;
    } else if (sender) {
      // the host never received what its group rejected: its answer is an artefact of loopback
      if (rejected.has(reverse) && !open.get(sender)?.has(reverse)) {
        droppedReplies++;
        continue;
      }
      open.get(sender)?.add(reverse);
      add(time, p, sender, 'egress', 'ACCEPT');
    }
    if (receiver) {
      // a scanner's RST to a SYN-ACK that, behind the group, was never sent: not in the real traffic
      const resetOfDropped = p.protocol === PROTO.TCP && (p.tcpFlags & (TCP.RST | TCP.SYN)) === TCP.RST;
      if (resetOfDropped && rejected.has(forward)) {
        droppedReplies++;
        continue;
      }
      const opened = open.get(receiver)?.has(forward) ?? false;
      const src = mapped(p.src) ?? p.src;
      if (opened || admits(receiver.inbound, p.protocol, src, p.dstPort)) {
        open.get(receiver)?.add(forward);
        add(time, p, receiver, 'ingress', 'ACCEPT');
      } else {
        rejected.add(forward);
        add(time, p, receiver, 'ingress', 'REJECT');
      }
    }
  }
  const sorted = [...records.values()].sort(
    (a, b) => a.start - b.start || a.end - b.end || compareText(recordSortKey(a), recordSortKey(b)),
  );
  return { records: sorted, unplanned, droppedReplies, forged };
}

const flowKey = (protocol: number, src: string, srcPort: number, dst: string, dstPort: number) =>
  `${protocol}|${src}|${srcPort}|${dst}|${dstPort}`;

const recordSortKey = (r: FlowRecord) =>
  [r.eni, r.direction, r.src, r.dst, r.srcPort, r.dstPort, r.protocol, r.action].join('|');

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The custom version-5 format the converter writes, in the order of its header line. */
export const FLOW_LOG_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
] as const;

type FlowLogField = (typeof FLOW_LOG_FIELDS)[number];

/** The records as the text of an S3-delivered log file: the header line, then a record a line. */
export function renderFlowLog(records: readonly FlowRecord[], plan: Plan): string {
  const v2 = plan.format === 'v2';
  // the readers' list of AWS's default format; each of its fields is one this converter writes
  const fields = (v2 ? DEFAULT_V2_FIELDS : FLOW_LOG_FIELDS) as readonly FlowLogField[];
  const lines = [fields.join(' ')];
  for (const r of records) {
    // traffic-path is logged for egress only: 1 within the VPC, 8 through the internet gateway
    const path = r.direction === 'ingress' ? '-' : plan.vpcCidrs.some((c) => inCidr(r.dst, c)) ? '1' : '8';
    const values: Record<FlowLogField, string | number> = {
      version: v2 ? 2 : 5,
      'account-id': plan.accountId,
      'interface-id': r.eni,
      srcaddr: r.src,
      dstaddr: r.dst,
      srcport: r.srcPort,
      dstport: r.dstPort,
      protocol: r.protocol,
      packets: r.packets,
      bytes: r.bytes,
      start: r.start,
      end: r.end,
      action: r.action,
      'log-status': 'OK',
      'vpc-id': plan.vpcId,
      'subnet-id': r.host.subnet,
      'instance-id': r.host.instance,
      'tcp-flags': r.tcpFlags,
      type: r.version === 6 ? 'IPv6' : 'IPv4',
      'pkt-srcaddr': r.src,
      'pkt-dstaddr': r.dst,
      region: plan.region,
      'az-id': plan.azId,
      'sublocation-type': '-',
      'sublocation-id': '-',
      'pkt-src-aws-service': '-',
      'pkt-dst-aws-service': '-',
      'flow-direction': r.direction,
      'traffic-path': path,
    };
    lines.push(fields.map((f) => values[f]).join(' '));
  }
  return `${lines.join('\n')}\n`;
}
