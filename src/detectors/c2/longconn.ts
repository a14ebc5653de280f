import { type Direction, type Severity, severityRank } from '../../finding.js';
import { sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, portList, protocolName, round } from '../describe.js';
import { maxOf, minOf } from '../extremes.js';
import { awsEndpoint, INFRASTRUCTURE_PORTS, outboundToHostsSql } from '../outbound.js';
import { duration } from '../timeWindows.js';

/**
 * One internal client → external server pair. Per connection (5-tuple) open long enough to qualify:
 * ports, protocols and volumes, in connection order. Per flow record of those connections (both
 * directions): its connection's index in the per-connection lists, start, end and whether it carries
 * the client's opening SYN, in (connection, start) order.
 */
interface Row {
  client: string;
  server: string;
  direction: Direction;
  aws_service: string | null;
  ports: number[];
  protocols: number[];
  packets: number[];
  bytes: number[];
  /** 1 when both ends sent packets */
  two_way: number[];
  record_conn: number[];
  record_start: number[];
  record_end: number[];
  record_syn: number[];
}

export default defineDetector({
  id: 'longconn',
  title: 'Long connection to an internet host',
  description:
    "A connection from an internal host to an internet host kept open for hours: a reverse shell, a RAT or a tunnel holds its channel open. The duration is the longest stretch of the connection's flow records with no silence longer than an aggregation interval (a reused 5-tuple is not one long connection). Severity rises with the duration and with small packets both ways (keystrokes and keepalives, not a transfer); services that stay open by design (web, remote administration, VPN, databases, brokers) are rated low.",
  status: 'experimental',
  attack: ['T1071', 'T1571', 'T1572'],
  severity: 'medium',
  asffType: 'Unusual Behaviors/Network Flow/Long Connection',
  requires: ['src_addr', 'dst_addr', 'src_port', 'dst_port', 'protocol', 'start_time', 'end_time'],
  uses: [
    {
      field: 'tcp_flags',
      without:
        'a new connection that reuses a 5-tuple within maxGap of the last one is counted as part of it',
    },
    {
      field: 'packets',
      without: 'bytes per packet are unknown: severity from the duration alone',
    },
    { field: 'bytes', without: 'bytes per packet are unknown: severity from the duration alone' },
  ],
  reads: {
    connections: [
      'client',
      'client_port',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'last_seen',
      'out_packets',
      'out_bytes',
      'in_packets',
      'in_bytes',
      'client_internal',
      'server_internal',
      'server_aws_service',
    ],
    flows: [
      'src_addr',
      'dst_addr',
      'pkt_src_addr',
      'pkt_dst_addr',
      'src_port',
      'dst_port',
      'protocol',
      'start_time',
      'end_time',
      'tcp_flags',
    ],
  },
  falsePositives: [
    'websockets, HTTP/2 streams and Kubernetes watches to SaaS and cluster APIs stay open for days (web ports: low); AWS endpoints such as SSM Session Manager are info',
    'remote administration and VPN tunnels (SSH, RDP, IPsec, OpenVPN, WireGuard) to your own servers: low; allowlist the server',
    'pooled database and message-broker connections to a managed service outside the VPC (low on their standard ports; on custom ports add the port to longLivedPorts)',
    'VoIP media and game or streaming sessions on custom UDP ports',
    'blind spot: an idle reverse shell sends as little as a push channel keeping alive (under minInteractivePackets): it is rated on its duration alone',
  ],
  references: [
    'Active Countermeasures RITA: long connections (1 hour base; 4, 8 and 12 hours for low, medium, high)',
    'Corelight zeek-long-connections package: conn_long.log entries for connections open past fixed durations',
    'AWS VPC Flow Logs: aggregation interval of 60 or 600 seconds; start times up to 60 s after the first packet',
  ],
  params: {
    protocols: param(
      [6, 17],
      'protocol numbers',
      'TCP and UDP; ICMP has no ports, so periodic pings of one host would read as one endless connection',
    ),
    infrastructurePorts: param(
      INFRASTRUCTURE_PORTS,
      'port list',
      'an NTP client polls from port 123 to port 123 for days and a resolver may keep one source port: one 5-tuple, not a session',
    ),
    minDuration: param(
      3600,
      'seconds',
      'RITA reports connections from one hour; interactive use and C2 channels last hours, while requests, downloads and most sessions end within minutes',
    ),
    longDuration: param(
      28_800,
      'seconds',
      'longer than a working day (RITA rates 8 hours medium): raises severity one level',
    ),
    maxGap: param(
      660,
      'seconds',
      'VPC records cover windows of at most 10 minutes and start up to 60 s late: a connection silent longer than 11 minutes has a gap in its records, and what follows is counted as a new stretch (raise it to follow idle sessions; TCP keepalive defaults to 2 hours)',
    ),
    smallPacketBytes: param(
      400,
      'bytes per packet, both ways',
      'bulk transfers fill packets towards the MTU (1,400-9,000 bytes, about 950 averaged with the ACKs); keystrokes, command output and keepalives average a few hundred at most: below this, with both ends sending at least minInteractivePackets, the connection looks interactive and severity rises one level',
    ),
    minInteractivePackets: param(
      60,
      'packets per hour, both ways',
      'small packets alone are what an idle keep-alive session sends too: push channels (APNs, FCM) beat every 4-30 minutes, 8-60 packets an hour with the ACKs, while a shell being typed into sends hundreds a minute. Under one a minute on average over the longest stretch, small packets are keep-alives, not use, and do not raise severity',
    ),
    longLivedPorts: param(
      [
        22, 2222, 3389, 5900, 500, 4500, 1194, 1701, 1723, 51820, 80, 443, 8080, 8443, 1883, 8883, 5222, 5223,
        2197, 5228, 5229, 5230, 5671, 5672, 9092, 9093, 9094, 3306, 5432, 1433, 1521, 27017, 6379,
      ],
      'port list',
      'services whose connections stay open by design: SSH, RDP, VNC, VPN (IPsec, OpenVPN, L2TP, PPTP, WireGuard), web (websockets, HTTP/2, API watches), MQTT, XMPP, push (Apple APNs 5223 and 2197, Google FCM 5228-5230: every phone and Mac holds one open all day, which is the keep-alive boundary: low), AMQP, Kafka, databases and Redis: rated low whatever the duration',
    ),
  },

  feature: (p, { dialect: d, direction }) => `
    WITH cand AS (
      SELECT client, client_port, server, server_port, protocol, max(${direction}) AS direction,
        sum(out_packets + in_packets) AS packets, sum(out_bytes + in_bytes) AS bytes,
        CASE WHEN sum(out_packets) > 0 AND sum(in_packets) > 0 THEN 1 ELSE 0 END AS two_way,
        max(server_aws_service) AS aws_service, min(first_seen) AS first_seen
      FROM fh_connections
      WHERE ${outboundToHostsSql(p.protocols, p.infrastructurePorts)}
      GROUP BY client, client_port, server, server_port, protocol
      HAVING max(last_seen) - min(first_seen) >= ${sqlNumber(p.minDuration)}
    ),
    numbered AS (
      SELECT cand.*, row_number() OVER (
          PARTITION BY client, server ORDER BY first_seen, server_port, client_port, protocol) AS conn
      FROM cand
    ),
    rec AS (
      SELECT coalesce(pkt_src_addr, src_addr) AS s, coalesce(pkt_dst_addr, dst_addr) AS d,
        coalesce(src_port, 0) AS sp, coalesce(dst_port, 0) AS dp, protocol, start_time,
        coalesce(end_time, start_time) AS end_time, coalesce(tcp_flags, 0) AS flags
      FROM flows WHERE start_time IS NOT NULL
    ),
    hits AS (
      SELECT n.client, n.server, n.conn, r.start_time, r.end_time,
        CASE WHEN ${d.bitAnd('r.flags', '2')} = 2 AND ${d.bitAnd('r.flags', '16')} = 0 THEN 1 ELSE 0 END AS syn
      FROM numbered n JOIN rec r ON r.protocol = n.protocol AND r.s = n.client AND r.sp = n.client_port
        AND r.d = n.server AND r.dp = n.server_port
      UNION ALL
      SELECT n.client, n.server, n.conn, r.start_time, r.end_time, 0 AS syn
      FROM numbered n JOIN rec r ON r.protocol = n.protocol AND r.s = n.server AND r.sp = n.server_port
        AND r.d = n.client AND r.dp = n.client_port
    ),
    records AS (
      SELECT client, server,
        ${d.orderedList('conn', 'seq')} AS record_conn, ${d.orderedList('start_time', 'seq')} AS record_start,
        ${d.orderedList('end_time', 'seq')} AS record_end, ${d.orderedList('syn', 'seq')} AS record_syn
      FROM (
        SELECT hits.*, row_number() OVER (
            PARTITION BY client, server ORDER BY conn, start_time, end_time, syn DESC) AS seq
        FROM hits
      ) AS ordered
      GROUP BY client, server
    ),
    conns AS (
      SELECT client, server, max(direction) AS direction, max(aws_service) AS aws_service,
        ${d.orderedList('server_port', 'conn')} AS ports, ${d.orderedList('protocol', 'conn')} AS protocols,
        ${d.orderedList('packets', 'conn')} AS packets, ${d.orderedList('bytes', 'conn')} AS bytes,
        ${d.orderedList('two_way', 'conn')} AS two_way
      FROM numbered GROUP BY client, server
    )
    SELECT conns.*, records.record_conn, records.record_start, records.record_end, records.record_syn
    FROM conns JOIN records ON records.client = conns.client AND records.server = conns.server`,

  score: (row: Row, p) => {
    const endpoint = awsEndpoint(row.aws_service);
    // each connection open long enough, rated; the most severe (then the longest) speaks for the pair
    const long = connections(row, p.maxGap)
      .filter((c) => c.longest >= p.minDuration)
      .map((c) => {
        const perPacket = c.packets > 0 ? c.bytes / c.packets : 0;
        const perHour = c.longest > 0 ? (c.packets * 3600) / c.longest : 0;
        const small = c.twoWay && c.packets > 0 && perPacket < p.smallPacketBytes;
        const interactive = small && perHour >= p.minInteractivePackets;
        return { ...c, perPacket, perHour, small, interactive, ...rate(c, interactive, endpoint, p) };
      })
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.longest - a.longest);
    const main = long[0];
    if (!main) return undefined;
    const { perPacket, perHour, small, interactive, severity, notes } = main;
    const proto = protocolName(main.protocol);
    const total = long.reduce((sum, c) => sum + c.longest, 0);
    const ports = [...new Set(long.map((c) => c.port))].sort((a, b) => a - b);
    const more = long.length > 1 ? `; ${count(long.length)} such connections, ${duration(total)} in all` : '';
    const size = main.packets > 0 ? `, ${sizeWords(perPacket, perHour, main.twoWay, small, p)}` : '';
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: row.direction,
      severity,
      confidence: 0.7,
      firstSeen: minOf(long.map((c) => c.from)),
      lastSeen: maxOf(long.map((c) => c.to)),
      count: long.length,
      explanation: `${row.client} held a ${proto} connection to ${row.server} port ${main.port} open for ${duration(main.longest)} (threshold ${duration(p.minDuration)}, one level higher from ${duration(p.longDuration)})${size}${more}${notes.map((n) => `; ${n}`).join('')}.`,
      subScores: {
        duration: round(Math.min(1, main.longest / p.longDuration)),
        interactive: interactive ? 1 : 0,
      },
      metrics: {
        longestSeconds: round(main.longest),
        totalSeconds: round(total),
        longConnections: long.length,
        port: main.port,
        protocol: proto,
        bytes: main.bytes,
        packets: main.packets,
        bytesPerPacket: Math.round(perPacket),
        packetsPerHour: Math.round(perHour),
        twoWay: main.twoWay ? 'yes' : 'no',
        stretches: main.stretches,
        ...(long.length > 1 ? { ports: portList(ports, 10) } : {}),
        ...(row.aws_service ? { awsService: row.aws_service } : {}),
      },
      evidence: {
        client: row.client,
        server: row.server,
        serverPorts: ports,
        ...(long.every((c) => c.protocol === main.protocol) ? { protocol: main.protocol } : {}),
      },
    };
  },
});

// ——— internal helpers ———

/** What the packets say: "135 bytes per packet both ways (under 400: keystrokes …)". */
function sizeWords(
  perPacket: number,
  perHour: number,
  twoWay: boolean,
  small: boolean,
  p: { smallPacketBytes: number; minInteractivePackets: number },
): string {
  const size = `${count(perPacket)} bytes per packet${twoWay ? ' both ways' : ', one way only'}`;
  if (!small) return `${size} (not under ${count(p.smallPacketBytes)}: no sign of interactive use)`;
  if (perHour < p.minInteractivePackets) {
    return `${size}, but ${count(perHour)} packets an hour (under ${count(p.minInteractivePackets)}: keep-alives of an idle session, not use)`;
  }
  return `${size} (under ${count(p.smallPacketBytes)}: keystrokes and replies, not a transfer)`;
}

interface Conn {
  port: number;
  protocol: number;
  packets: number;
  bytes: number;
  twoWay: boolean;
  /** the longest stretch of records, seconds, and where it lies */
  longest: number;
  from: number;
  to: number;
  /** stretches the records fall into */
  stretches: number;
}

/**
 * The pair's connections with their longest stretch: records in start order, a new stretch where a
 * record starts more than `maxGap` after the stretch's last end, or where the client sends a fresh
 * SYN more than `maxGap` after the stretch began (the 5-tuple was reused for a new connection).
 */
function connections(row: Row, maxGap: number): Conn[] {
  const conns: Conn[] = row.ports.map((port, i) => ({
    port,
    protocol: row.protocols[i] ?? 0,
    packets: row.packets[i] ?? 0,
    bytes: row.bytes[i] ?? 0,
    twoWay: row.two_way[i] === 1,
    longest: 0,
    from: 0,
    to: 0,
    stretches: 0,
  }));
  let current: { conn: number; from: number; to: number } | undefined;
  const close = () => {
    const c = current && conns[current.conn - 1];
    if (!c || !current) return;
    c.stretches++;
    if (current.to - current.from > c.longest) {
      c.longest = current.to - current.from;
      c.from = current.from;
      c.to = current.to;
    }
  };
  row.record_start.forEach((start, i) => {
    const conn = row.record_conn[i] ?? 0;
    const end = Math.max(start, row.record_end[i] ?? start);
    const fresh =
      !current ||
      current.conn !== conn ||
      start - current.to > maxGap ||
      (row.record_syn[i] === 1 && start - current.from > maxGap);
    if (fresh) {
      close();
      current = { conn, from: start, to: end };
    } else if (current) {
      current.to = Math.max(current.to, end);
    }
  });
  close();
  return conns;
}

/**
 * Low from minDuration; one level up from longDuration, one more when the packets are small both ways.
 * A port in longLivedPorts stays low (its service keeps connections open by design); an AWS endpoint
 * is info.
 */
function rate(
  c: Conn,
  interactive: boolean,
  endpoint: string | undefined,
  p: { longDuration: number; longLivedPorts: readonly number[] },
): { severity: Severity; notes: string[] } {
  if (endpoint) {
    return { severity: 'info', notes: [`the server is an AWS endpoint (${endpoint}): info`] };
  }
  if (p.longLivedPorts.includes(c.port)) {
    return {
      severity: 'low',
      notes: [`port ${c.port} serves connections that stay open by design (longLivedPorts): low`],
    };
  }
  const levels: Severity[] = ['low', 'medium', 'high'];
  const level = (c.longest >= p.longDuration ? 1 : 0) + (interactive ? 1 : 0);
  return { severity: levels[level] ?? 'high', notes: [] };
}
