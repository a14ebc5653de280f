import type { Severity } from '../../finding.js';
import { sqlNumber } from '../../store/dialect.js';
import {
  type ConnectionFloodColumns,
  type ConnectionFloodParams,
  connectionFloodCtes,
  connectionFloodTrigger,
  type FloodTrigger,
} from '../connectionFlood.js';
import { BUSIEST_SOURCE, defineDetector, param } from '../define.js';
import { count, round } from '../describe.js';
import { duration } from '../timeWindows.js';
import { byteSize, rateText, strongestTrigger, windowedTrafficSql } from '../windowedTraffic.js';

/**
 * One of our hosts as the server of everything it received in one window, all sources together, and
 * its service port most connected to by clients at flood rate (connectionFlood.ts).
 */
interface Row extends ConnectionFloodColumns {
  server: string;
  packets: number;
  bytes: number;
  connections: number;
  half_open: number;
  clients: number;
  tcp_connections: number;
  half_open_clients: number;
  icmp_packets: number;
  icmp_rate: number;
  icmp_clients: number;
  external_clients: number;
  unanswered_external_packets: number;
  unanswered_external_bytes: number;
  unanswered_external_packet_rate: number;
  unanswered_external_byte_rate: number;
  unanswered_external_clients: number;
  t0: number;
  t1: number;
}

const TCP = 6;
const ICMP = [1, 58];

export default defineDetector({
  id: 'flood',
  title: 'Host receiving a flood (DoS or DDoS target)',
  description:
    'One of our hosts receiving flood-level traffic for at least a minute, from one source or many: a SYN flood (most new TCP connections left half-open), a connection flood (an application-layer flood such as an HTTP GET flood: internet clients each completing new connections to one service at a rate no browser or pooled client needs, together most of the service’s connections), an ICMP flood, or a volume of internet traffic it never answers (UDP floods, reflection and amplification, spoofed floods). The host under attack is the target; the busiest source is the actor, and every source of the flood’s kind of traffic is listed (`sources`). Count: connections received.',
  status: 'stable',
  attack: ['T1498', 'T1498.001', 'T1498.002', 'T1499'],
  severity: 'medium',
  asffType: 'Effects/Denial of Service/Inbound Flood',
  requires: ['src_addr', 'dst_addr', 'protocol', 'packets', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without:
        'a connection attempt that carried no data is told by size alone (at most 3 header-sized packets), so an established connection’s keepalives could count as attempts',
    },
    {
      field: 'bytes',
      without: 'the unanswered byte-rate trigger cannot fire; the packet rates still do',
    },
  ],
  reads: {
    connections: [
      'client',
      'client_port',
      'server',
      'server_port',
      'protocol',
      'client_internal',
      'server_internal',
    ],
    flows: [
      'interface_id',
      'src_addr',
      'dst_addr',
      'pkt_src_addr',
      'pkt_dst_addr',
      'src_port',
      'dst_port',
      'protocol',
      'packets',
      'bytes',
      'start_time',
      'end_time',
      'tcp_flags',
    ],
  },
  falsePositives: [
    'a load test aimed at your own host (allowlist the target, or the load generators, by CIDR)',
    'a busy server losing many clients mid-handshake during a network fault (half-open, but from its usual clients)',
    'a partner’s integration or an office NAT address calling a public API without keep-alive, when it makes most of that API’s connections at 50 or more a second (a connection flood by its numbers: allowlist it)',
    'an application-layer flood kept on a few long connections (wrk with keep-alive, HTTP/2 rapid reset) is not seen: flow logs show connections, not requests; internal clients are left to dos, which names our own hosts as senders',
    'windows are fixed (every `window` seconds from the epoch): a burst shorter than a window that straddles two is measured in halves, so a few seconds just over the threshold can be missed (a 7-second ab run at 900 a second reads about 45 a second in each half)',
  ],
  references: [
    'MITRE ATT&CK T1498 Network Denial of Service (.001 direct flood, .002 reflection amplification), T1499',
    'RFC 4987 TCP SYN Flooding Attacks and Common Mitigations',
    'AWS Best Practices for DDoS Resiliency (AWS Shield)',
  ],
  params: {
    window: param(
      60,
      'seconds',
      'rates are measured over windows of this length, never shorter: the shortest VPC aggregation interval, and long enough that a burst of a few seconds is not a flood',
    ),
    synPerSecond: param(
      100,
      'half-open connections/s',
      'all sources together: clients that vanish mid-handshake and scanners leave a few a second even on a busy server; a SYN flood leaves thousands, and 100 a second for a minute is 6,000',
    ),
    halfOpenShare: param(
      0.5,
      'ratio 0-1',
      'share of the new TCP connections left half-open: a busy server at normal load completes nearly all of its thousands of connections a second; a flood makes the half-open ones the majority',
    ),
    icmpPerSecond: param(
      500,
      'packets/s',
      'all sources together, answered or not: five ping -f at once; uptime monitors ping each host once every few seconds from a handful of places',
    ),
    unansweredPerSecond: param(
      10_000,
      'packets/s',
      'internet traffic the host never answers (UDP, spoofed TCP, reflected replies it never asked for): scans and stray packets reach hundreds a second, a flood tens of thousands; one-way traffic from your own hosts (syslog, statsd) is not counted',
    ),
    unansweredBytesPerSecond: param(
      12_500_000,
      'bytes/s',
      '100 Mbit/s of unanswered internet traffic: reflection and amplification floods arrive as few, large packets',
    ),
    severeFactor: param(
      10,
      'times the threshold',
      'a flood this many times over its threshold is rated high: at that volume it threatens the host’s and the VPC’s bandwidth, not only one service',
    ),
    connectionsPerSecond: param(
      50,
      'completed connections/s',
      'new connections the flood’s sources complete to one service, together: ab -c 20 completed 6,000 HTTP GETs in 7 s (eval/captures/httpflood: 90 a second over the minute, 900 while it ran) and LOIC-style tools thousands; 50 a second for a minute is 3,000 new connections from clients that each need a few',
    ),
    sourcePerSecond: param(
      5,
      'completed connections/s',
      'what makes an internet client a flood source: 300 new connections in a minute to one service. A browser keeps about 6 connections to a site alive, a pooled API client reuses its connections, an ALB health check opens one every 5-30 s; a bot in an HTTP flood opens tens a second',
    ),
    floodShare: param(
      0.5,
      'ratio 0-1',
      'share of the service’s completed connections (every client, internal ones too) that the flood sources make: under a flood they dominate; on a popular server the few heavy clients (office NATs, crawlers, monitors) are a small part of its traffic',
    ),
    manySources: param(
      10,
      'source addresses',
      'a flood from at least this many sources is described as distributed (DDoS): one network ACL rule will not stop it',
    ),
  },

  feature: (p, { dialect: d }) => {
    // a completed connection carries at least one client packet in its window
    const minPackets =
      Math.min(p.synPerSecond, p.icmpPerSecond, p.unansweredPerSecond, p.connectionsPerSecond) * p.window;
    const minBytes = p.unansweredBytesPerSecond * p.window;
    const icmp = `protocol IN (${ICMP.join(', ')})`;
    const external = (expr: string) => `CASE WHEN client_internal = 0 AND reply_packets = 0 THEN ${expr} END`;
    return `${windowedTrafficSql(d, {
      window: p.window,
      connections: 'server_internal = 1 AND client <> server',
      keys: ['server'],
      busy: { by: 'server', minPackets, minBytes },
      extra: {
        tcp_connections: `sum(CASE WHEN protocol = ${TCP} AND packets > 0 THEN 1 ELSE 0 END)`,
        half_open_clients: 'count(DISTINCT CASE WHEN half_open = 1 THEN client END)',
        icmp_packets: `sum(CASE WHEN ${icmp} THEN packets ELSE 0 END)`,
        icmp_rate: `sum(CASE WHEN ${icmp} THEN packet_rate ELSE 0 END)`,
        icmp_clients: `count(DISTINCT CASE WHEN ${icmp} THEN client END)`,
        external_clients: 'count(DISTINCT CASE WHEN client_internal = 0 THEN client END)',
        unanswered_external_packets: `coalesce(sum(${external('packets')}), 0)`,
        unanswered_external_bytes: `coalesce(sum(${external('bytes')}), 0)`,
        unanswered_external_packet_rate: `coalesce(sum(${external('packet_rate')}), 0)`,
        unanswered_external_byte_rate: `coalesce(sum(${external('byte_rate')}), 0)`,
        unanswered_external_clients: `count(DISTINCT ${external('client')})`,
      },
    })}${connectionFloodCtes(p.sourcePerSecond * p.window)}
    SELECT t.server AS server, packets, bytes, connections, half_open, clients, tcp_connections,
      half_open_clients, icmp_packets, icmp_rate, icmp_clients, external_clients, unanswered_external_packets,
      unanswered_external_bytes, unanswered_external_packet_rate, unanswered_external_byte_rate,
      unanswered_external_clients, cf_port, cf_connections, cf_sources, cf_service, t0, t1
    FROM traffic t LEFT JOIN conn_flood cf ON cf.server = t.server AND cf.win = t.win
    WHERE packets >= ${sqlNumber(minPackets)} OR bytes >= ${sqlNumber(minBytes)}`;
  },

  score: (row: Row, p) => {
    const halfOpenShare = row.tcp_connections > 0 ? row.half_open / row.tcp_connections : 0;
    const hit = strongestTrigger(triggersOf(row, p, halfOpenShare));
    if (!hit) return undefined;
    const severity: Severity = hit.observed >= hit.threshold * p.severeFactor ? 'high' : 'medium';
    const distributed = hit.sources >= p.manySources;
    const article = distributed ? 'a distributed (DDoS) ' : /^[aeiou]/i.test(hit.kind) ? 'an ' : 'a ';
    const from = `${article}${hit.kind} from ${count(hit.sources)} ${hit.sources === 1 ? 'source' : 'sources'}`;
    return {
      actor: BUSIEST_SOURCE,
      target: row.server,
      targetCount: 1,
      direction: row.external_clients > 0 ? 'inbound' : 'internal',
      severity,
      confidence: 0.8,
      firstSeen: row.t0,
      lastSeen: row.t1,
      count: row.connections,
      explanation: `${row.server} received ${hit.what} at ${rateText(hit.observed, hit.unit)} (threshold ${rateText(hit.threshold, hit.unit)}, averaged over at least ${duration(p.window)}${severity === 'high' ? `; high from ${p.severeFactor}× the threshold` : ''}): ${from}.`,
      subScores: {
        intensity: round(Math.min(1, Math.log10(hit.observed / hit.threshold) / 2 + 0.5)),
        halfOpenShare: round(halfOpenShare),
        spread: round(Math.min(1, Math.log10(1 + hit.sources) / 4)),
      },
      metrics: {
        kind: hit.kind,
        rate: round(hit.observed),
        rateUnit: hit.unit,
        threshold: hit.threshold,
        sources: hit.sources,
        internetSources: row.external_clients,
        packets: row.packets,
        bytes: row.bytes,
        connections: row.connections,
        halfOpen: row.half_open,
        ...(hit.port !== undefined ? { serverPort: hit.port, floodShare: round(hit.share ?? 0) } : {}),
      },
      evidence: { server: row.server, ...(hit.port !== undefined ? { serverPorts: [hit.port] } : {}) },
      sources: { server: row.server, ...hit.senders },
    };
  },
});

// ——— internal helpers ———

type Trigger = FloodTrigger;

/** The parameters the triggers weigh (the card's, by name). */
interface FloodParams extends ConnectionFloodParams {
  halfOpenShare: number;
  synPerSecond: number;
  icmpPerSecond: number;
  unansweredPerSecond: number;
  unansweredBytesPerSecond: number;
}

/** Each kind of flood this row could be, with its rate and threshold. */
function triggersOf(row: Row, p: FloodParams, halfOpenShare: number): Trigger[] {
  return [
    {
      kind: 'SYN flood',
      observed: halfOpenShare >= p.halfOpenShare ? row.half_open / p.window : 0,
      threshold: p.synPerSecond,
      unit: 'connections/s',
      what: `${count(row.half_open)} half-open TCP connections (${round(halfOpenShare * 100, 0)}% of ${count(row.tcp_connections)} new ones, threshold ${round(p.halfOpenShare * 100, 0)}%)`,
      sources: row.half_open_clients,
      senders: { protocols: [TCP], halfOpen: true },
    },
    connectionFloodTrigger(row, p),
    {
      kind: 'ICMP flood',
      observed: row.icmp_rate,
      threshold: p.icmpPerSecond,
      unit: 'packets/s',
      what: `${count(row.icmp_packets)} ICMP packets`,
      sources: row.icmp_clients,
      senders: { protocols: ICMP },
    },
    {
      kind: 'flood of unanswered internet traffic',
      observed: row.unanswered_external_packet_rate,
      threshold: p.unansweredPerSecond,
      unit: 'packets/s',
      what: `${count(row.unanswered_external_packets)} packets (${byteSize(row.unanswered_external_bytes)}) from the internet that it never answered`,
      sources: row.unanswered_external_clients,
      senders: { clientInternal: false, failed: true },
    },
    {
      kind: 'flood of unanswered internet traffic',
      observed: row.unanswered_external_byte_rate,
      threshold: p.unansweredBytesPerSecond,
      unit: 'bytes/s',
      what: `${byteSize(row.unanswered_external_bytes)} from the internet that it never answered`,
      sources: row.unanswered_external_clients,
      senders: { clientInternal: false, failed: true },
    },
  ];
}
