import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { COMPLETED_CONNECTIONS_SQL } from '../connectionFlood.js';
import { defineDetector, param } from '../define.js';
import { count, protocolName, round } from '../describe.js';
import { duration } from '../timeWindows.js';
import { byteSize, rateText, strongestTrigger, windowedTrafficSql } from '../windowedTraffic.js';

/** One of our hosts → one target, one protocol, one window (see windowedTraffic.ts). */
interface Row {
  client: string;
  server: string;
  protocol: number;
  direction: 'outbound' | 'internal';
  packets: number;
  bytes: number;
  packet_rate: number;
  byte_rate: number;
  reply_packets: number;
  records: number;
  connections: number;
  half_open: number;
  completed: number;
  ports: number;
  flags_known: number;
  tcp_port_packets: number;
  tcp_port_rate: number;
  dns_packets: number;
  dns_rate: number;
  t0: number;
  t1: number;
}

const TCP = 6;
const UDP = 17;
const ICMP = [1, 58];
const DNS_PORT = 53;

export default defineDetector({
  id: 'dos',
  title: 'Denial-of-service flood from one of our hosts',
  description:
    'One of our hosts sending flood-level traffic to one target for at least a minute: a SYN flood (half-open connections), a connection flood (new completed connections at a rate no pooled client needs: an HTTP GET flood), a UDP flood the target does not answer, UDP to ports only TCP serves, a DNS flood, an ICMP flood, or a flood over an unusual IP protocol. A host doing this is usually compromised and rented out (a DDoS bot). Count: flow records the host sent.',
  status: 'stable',
  attack: ['T1498', 'T1498.001', 'T1499'],
  severity: 'high',
  asffType: 'Effects/Denial of Service/Outbound Flood',
  requires: ['src_addr', 'dst_addr', 'protocol', 'packets', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without:
        'a connection attempt that carried no data is told by size alone (at most 3 header-sized packets), so an established connection’s keepalives could count as attempts',
    },
    { field: 'bytes', without: 'the UDP byte-rate trigger cannot fire; the packet rates still do' },
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
    'load and stress tests (k6, JMeter, iperf, hping) run against your own or a partner’s hosts: allowlist the load generator by CIDR',
    'a fast vertical port scan (100 or more ports a second) sends flood-level SYNs too; portscan names it as the scan it is',
    'a client that opens a new connection per request (no keep-alive) to one busy API or crawls one site, above 250 connections a second: a connection flood by its numbers, rated medium',
    'a UDP tunnel or media relay whose far end answers rarely (the UDP trigger needs 10,000 packets/s with under 10% answered)',
  ],
  references: [
    'Amazon GuardDuty Backdoor:EC2/DenialOfService.Tcp, .Udp, .UdpOnTcpPorts, .Dns, .UnusualProtocol',
    'MITRE ATT&CK T1498.001 Direct Network Flood, T1499 Endpoint Denial of Service',
    'RFC 4987 TCP SYN Flooding Attacks and Common Mitigations',
    'Amazon Route 53 Resolver: 1,024 packets per second per network interface (VPC DNS quotas)',
  ],
  params: {
    window: param(
      60,
      'seconds',
      'rates are measured over windows of this length, never shorter: the shortest VPC aggregation interval, so a record’s packets are never squeezed into less time than AWS could place them, and long enough that a burst of a few seconds (a ping -f, a retry storm) is not a flood',
    ),
    synPerSecond: param(
      100,
      'half-open connections/s',
      'a client retrying a dead service backs off (1, 2, 4 … s) and opens a few a second at most; SYN-flood tools send thousands a second, and 100 a second for a minute is 6,000 connections never completed',
    ),
    connectionsPerSecond: param(
      250,
      'completed connections/s',
      'new connections to one host that complete (the client sends data, the target answers): a client without keep-alive (a webhook sender, a scraper) opens a couple of hundred a second to one busy API; ab -c 20 opened 900 a second against one python http.server (eval/captures/httpflood). Flow logs count a reused 5-tuple once, so one Linux client (28,232 ephemeral ports) shows at most about 470 a second to one port: the threshold must stay well under that',
    ),
    icmpPerSecond: param(
      100,
      'packets/s',
      'ping -f sends at least 100 packets a second; monitoring pings once a second or slower',
    ),
    udpPerSecond: param(
      10_000,
      'packets/s',
      'UDP the target (almost) never answers: busy one-way senders (syslog, statsd, metrics) stay at a few thousand packets a second to one collector; a flood sends tens of thousands',
    ),
    udpBytesPerSecond: param(
      12_500_000,
      'bytes/s',
      '100 Mbit/s of unanswered UDP to one host: catches floods of large packets that stay under udpPerSecond',
    ),
    maxReplyShare: param(
      0.1,
      'ratio 0-1',
      'the UDP triggers need the target to answer fewer packets than this share of those sent: QUIC, VPN tunnels, games and media answer far more',
    ),
    udpOnTcpPortsPerSecond: param(
      1000,
      'packets/s',
      'no service answers UDP on the TCP-only ports, so no legitimate sender keeps it up; 1,000 a second for a minute is deliberate',
    ),
    tcpOnlyPorts: param(
      [21, 22, 23, 25, 80, 110, 143, 445, 465, 587, 993, 995, 1433, 3306, 3389, 5432, 8080],
      'port list',
      'services that run over TCP only (FTP, SSH, Telnet, SMTP, HTTP, POP3, IMAP, SMB, SQL Server, MySQL, RDP, PostgreSQL); 443 is left out because HTTP/3 (QUIC) runs over UDP 443',
    ),
    dnsPerSecond: param(
      2000,
      'packets/s',
      'twice what the Amazon-provided resolver accepts from one network interface (1,024 packets/s): a legitimate client is throttled long before',
    ),
    commonProtocols: param(
      [1, 4, 6, 17, 41, 47, 50, 51, 58],
      'protocol numbers',
      'ICMP, IP-in-IP, TCP, UDP, IPv6-in-IPv4, GRE, ESP, AH and ICMPv6: the protocols that carry bulk traffic; the rest (OSPF, VRRP, PIM, IGMP …) send a few packets a second',
    ),
    unusualPerSecond: param(
      100,
      'packets/s',
      'control protocols outside commonProtocols send a few packets a second; 100 a second of one of them to one host is GuardDuty’s UnusualProtocol flood',
    ),
  },

  feature: (p, { dialect: d, direction }) => {
    const minPackets =
      Math.min(
        p.synPerSecond,
        p.connectionsPerSecond,
        p.icmpPerSecond,
        p.udpPerSecond,
        p.udpOnTcpPortsPerSecond,
        p.dnsPerSecond,
        p.unusualPerSecond,
      ) * p.window;
    const minBytes = p.udpBytesPerSecond * p.window;
    const tcpPort = `protocol = ${UDP} AND server_port IN (${sqlIntList(p.tcpOnlyPorts)})`;
    const dns = `server_port = ${DNS_PORT} AND protocol IN (${TCP}, ${UDP})`;
    return `${windowedTrafficSql(d, {
      window: p.window,
      connections: 'client_internal = 1 AND client <> server',
      keys: ['client', 'server', 'protocol'],
      busy: { by: 'pair', minPackets, minBytes },
      extra: {
        tcp_port_packets: `sum(CASE WHEN ${tcpPort} THEN packets ELSE 0 END)`,
        tcp_port_rate: `sum(CASE WHEN ${tcpPort} THEN packet_rate ELSE 0 END)`,
        dns_packets: `sum(CASE WHEN ${dns} THEN packets ELSE 0 END)`,
        dns_rate: `sum(CASE WHEN ${dns} THEN packet_rate ELSE 0 END)`,
        completed: COMPLETED_CONNECTIONS_SQL,
      },
    })}
    SELECT client, server, protocol, ${direction} AS direction, packets, bytes, packet_rate, byte_rate,
      reply_packets, records, connections, half_open, completed, ports, flags_known, tcp_port_packets, tcp_port_rate,
      dns_packets, dns_rate, t0, t1
    FROM traffic
    WHERE packets >= ${sqlNumber(minPackets)} OR bytes >= ${sqlNumber(minBytes)}`;
  },

  score: (row: Row, p) => {
    const replyShare = row.packets > 0 ? row.reply_packets / row.packets : 0;
    const unanswered = replyShare < p.maxReplyShare;
    const proto = protocolName(row.protocol);
    const ported = row.protocol === TCP || row.protocol === UDP;
    const ports = ported ? ` on ${count(row.ports)} ${plural(row.ports, 'port')}` : '';
    const hit = strongestTrigger(triggersOf(row, p, unanswered));
    if (!hit) return undefined;
    const answeredDns = hit.kind === 'a DNS flood' && !unanswered;
    // answered by design: a client without keep-alive looks the same, only slower
    const mild = answeredDns || hit.kind.startsWith('a connection flood');
    const answer =
      row.reply_packets === 0
        ? `${row.server} answered none`
        : `${row.server} answered ${count(row.reply_packets)} ${plural(row.reply_packets, 'packet')} (${percent(replyShare)})`;
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: row.direction,
      severity: mild ? 'medium' : 'high',
      confidence: mild ? 0.6 : 0.9,
      firstSeen: row.t0,
      lastSeen: row.t1,
      count: row.records,
      explanation: `${row.client} sent ${hit.what} to ${row.server}${ports} at ${rateText(hit.observed, hit.unit)} (threshold ${rateText(hit.threshold, hit.unit)}, averaged over at least ${duration(p.window)}): ${hit.kind}; ${answer}.`,
      subScores: {
        intensity: round(Math.min(1, Math.log10(hit.observed / hit.threshold) / 2 + 0.5)),
        unansweredShare: round(Math.max(0, 1 - replyShare)),
      },
      metrics: {
        kind: hit.kind.replace(/^an? /, ''),
        rate: round(hit.observed),
        rateUnit: hit.unit,
        threshold: hit.threshold,
        packets: row.packets,
        bytes: row.bytes,
        replyPackets: row.reply_packets,
        connections: row.connections,
        halfOpen: row.half_open,
        completed: row.completed,
        ...(ported ? { ports: row.ports } : {}),
        protocol: proto,
      },
      evidence: { client: row.client, server: row.server, protocol: row.protocol },
    };
  },
});

// ——— internal helpers ———

interface Trigger {
  kind: string;
  observed: number;
  threshold: number;
  what: string;
  unit: string;
}

/** The parameters the triggers weigh (the card's, by name). */
interface DosParams {
  window: number;
  synPerSecond: number;
  connectionsPerSecond: number;
  icmpPerSecond: number;
  udpPerSecond: number;
  udpBytesPerSecond: number;
  udpOnTcpPortsPerSecond: number;
  dnsPerSecond: number;
  commonProtocols: readonly number[];
  unusualPerSecond: number;
}

/** Each kind of flood this row could be, with its rate and threshold. */
function triggersOf(row: Row, p: DosParams, unanswered: boolean): Trigger[] {
  const proto = protocolName(row.protocol);
  const udp = row.protocol === UDP;
  return [
    {
      kind: 'a SYN flood',
      observed: row.protocol === TCP ? row.half_open / p.window : 0,
      threshold: p.synPerSecond,
      what: `${count(row.half_open)} half-open TCP connections (${row.flags_known ? 'a SYN and' : 'at most 3 header-sized packets,'} no data)`,
      unit: 'connections/s',
    },
    {
      kind: 'a connection flood (completed connections, application layer)',
      observed: row.protocol === TCP ? row.completed / p.window : 0,
      threshold: p.connectionsPerSecond,
      what: `${count(row.completed)} completed TCP connections (data sent, and answered)`,
      unit: 'connections/s',
    },
    {
      kind: `an ${proto} flood`,
      observed: ICMP.includes(row.protocol) ? row.packet_rate : 0,
      threshold: p.icmpPerSecond,
      what: `${count(row.packets)} ${proto} packets (${byteSize(row.bytes)})`,
      unit: 'packets/s',
    },
    {
      kind: 'a UDP flood',
      observed: udp && unanswered ? row.packet_rate : 0,
      threshold: p.udpPerSecond,
      what: `${count(row.packets)} UDP packets (${byteSize(row.bytes)})`,
      unit: 'packets/s',
    },
    {
      kind: 'a UDP flood',
      observed: udp && unanswered ? row.byte_rate : 0,
      threshold: p.udpBytesPerSecond,
      what: `${byteSize(row.bytes)} of UDP (${count(row.packets)} packets)`,
      unit: 'bytes/s',
    },
    {
      kind: 'a UDP flood on TCP-only ports',
      observed: udp ? row.tcp_port_rate : 0,
      threshold: p.udpOnTcpPortsPerSecond,
      what: `${count(row.tcp_port_packets)} UDP packets to ports only TCP serves`,
      unit: 'packets/s',
    },
    {
      kind: 'a DNS flood',
      observed: row.dns_rate,
      threshold: p.dnsPerSecond,
      what: `${count(row.dns_packets)} DNS packets over ${proto}`,
      unit: 'packets/s',
    },
    {
      kind: `a flood over ${proto}, an unusual IP protocol`,
      observed: p.commonProtocols.includes(row.protocol) ? 0 : row.packet_rate,
      threshold: p.unusualPerSecond,
      what: `${count(row.packets)} packets of ${proto}`,
      unit: 'packets/s',
    },
  ];
}

const plural = (n: number, word: string) => (Math.round(n) === 1 ? word : `${word}s`);

const percent = (share: number) => (share > 0 && share < 0.001 ? 'under 0.1%' : `${round(share * 100, 1)}%`);
