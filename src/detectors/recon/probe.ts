import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, portList, protocolName, round } from '../describe.js';
import { SENSITIVE_PORTS } from '../servicePorts.js';

/** Packets of a direction that open and close it (SYN or SYN-ACK, ACK, FIN): options weigh on them. */
const HANDSHAKE_PACKETS = 3;
/** An IPv4 header and a UDP (or ICMP) header: a datagram of no more carried nothing. */
const DATAGRAM_HEADER_BYTES = 28;
/** What an IPv6 header weighs beyond an IPv4 one. */
const IPV6_EXTRA_HEADER_BYTES = 20;

interface Row {
  client: string;
  server: string;
  attempts: number;
  failed: number;
  ports: number[];
  protocols: number[];
  /** per port: 1 when the server answered any internet source on it */
  reachable: number[];
  sensitive_reachable: number;
  first_seen: number;
  last_seen: number;
}

export default defineDetector({
  id: 'probe',
  title: 'Repeated probing from the internet',
  description:
    'An internet source coming back again and again to the same service on one of your hosts without getting a session (connections that failed, or carried no payload one way or the other: a completed exchange with data both ways is a session, whatever its size); worst when the service answers the internet and is an admin or database service (GuardDuty PortProbeUnprotectedPort). Answered login attempts are the bruteforce detector.',
  status: 'stable',
  attack: ['T1595', 'T1046'],
  severity: 'medium',
  rollsUp: true,
  asffType: 'TTPs/Discovery/Active Scanning',
  portChart: 'services',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    { field: 'tcp_flags', without: 'whether the service answered is guessed from packet counts' },
    {
      field: 'action',
      without: 'security-group rejections are not seen, so blocked probes may look answered',
    },
  ],
  reads: {
    connections: [
      'client',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'last_seen',
      'attempts',
      'out_packets',
      'out_bytes',
      'in_packets',
      'in_bytes',
      'client_rst',
      'server_rst',
      'fin',
      'flags_known',
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'internet-wide research scanners (Censys, Shodan, university census projects): real, mostly harmless',
    'a legitimate client retrying a service it is not allowed to reach',
  ],
  references: [
    'Amazon GuardDuty Recon:EC2/PortProbeUnprotectedPort',
    'Stratosphere Slips: repeated reconnection attempts (5)',
  ],
  params: {
    minAttempts: param(
      5,
      'attempts',
      'to one service of one host; Slips reports reconnection attempts from 5. An attempt is a connection, or each aggregation window of one that kept its source port and got no answer (fh_connections.attempts): a bot probing from one fixed port is one 5-tuple',
    ),
    sensitivePorts: param(
      SENSITIVE_PORTS,
      'port list',
      'admin and database services that should not answer the internet: probing them while reachable is medium',
    ),
    headerBytes: param(
      52,
      'bytes per TCP packet',
      'an IPv4 and TCP header with timestamps (Linux, macOS; Windows sends 40): beyond the first three packets of a direction, a packet weighing more carried payload',
    ),
    handshakeHeaderBytes: param(
      60,
      'bytes per TCP packet',
      'the first three packets of a direction (SYN or SYN-ACK, ACK, FIN) may carry options up to 60 bytes: an opened and closed connection of 3 packets and 180 bytes sent nothing',
    ),
  },

  // probes: the attempts that failed, were cut by a reset or carried no payload one way or the
  // other. A completed exchange with data in both directions is a session whatever its size (a
  // health check or an API poll of a few hundred bytes each way), not a probe; bytes are checked
  // against what the packets would weigh as bare headers, since flow logs count bytes and packets,
  // not payload.
  feature: (p, { dialect: d }) => {
    const v6 = `CASE WHEN server LIKE '%:%' THEN ${IPV6_EXTRA_HEADER_BYTES} ELSE 0 END`;
    // a direction carried payload when its bytes exceed its packets as bare headers
    const tcpPayload = (side: 'out' | 'in') => {
      const pk = `${side}_packets`;
      return `${side}_bytes > (${sqlNumber(p.handshakeHeaderBytes)} + ${v6}) * least(${pk}, ${HANDSHAKE_PACKETS})
            + (${sqlNumber(p.headerBytes)} + ${v6}) * greatest(${pk} - ${HANDSHAKE_PACKETS}, 0)`;
    };
    const datagramPayload = (side: 'out' | 'in') =>
      `${side}_bytes > (${DATAGRAM_HEADER_BYTES} + ${v6}) * ${side}_packets`;
    // completed: not cut by a reset before any FIN (SYN, SYN-ACK, RST is a half-open scan; some
    // connection logs count link-layer headers, so its bytes alone can pass for a little payload)
    const completed = 'NOT (flags_known = 1 AND fin = 0 AND (client_rst = 1 OR server_rst = 1))';
    const session = `in_packets > 0 AND ${completed} AND (
          (protocol = 6 AND ${tcpPayload('out')} AND ${tcpPayload('in')})
          OR (protocol <> 6 AND ${datagramPayload('out')} AND ${datagramPayload('in')}))`;
    return `
    WITH inbound AS (
      SELECT * FROM fh_connections
      WHERE client_internal = 0 AND server_internal = 1
    ),
    reach AS (
      SELECT server, server_port, protocol, max(CASE WHEN failed = 0 THEN 1 ELSE 0 END) AS reachable
      FROM inbound GROUP BY server, server_port, protocol
    ),
    probes AS (
      SELECT client, server, server_port, protocol, sum(attempts) AS attempts, sum(failed * attempts) AS failed,
        min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM inbound WHERE failed = 1 OR NOT (${session})
      GROUP BY client, server, server_port, protocol
      HAVING sum(attempts) >= ${p.minAttempts}
    )
    SELECT p.client, p.server, sum(p.attempts) AS attempts, sum(p.failed) AS failed,
      ${d.orderedList('p.server_port', 'p.attempts DESC, p.server_port, p.protocol')} AS ports,
      ${d.orderedList('p.protocol', 'p.attempts DESC, p.server_port, p.protocol')} AS protocols,
      ${d.orderedList('r.reachable', 'p.attempts DESC, p.server_port, p.protocol')} AS reachable,
      max(CASE WHEN r.reachable = 1 AND p.server_port IN (${sqlIntList(p.sensitivePorts)}) THEN 1 ELSE 0 END)
        AS sensitive_reachable,
      min(p.first_seen) AS first_seen, max(p.last_seen) AS last_seen
    FROM probes p JOIN reach r
      ON r.server = p.server AND r.server_port = p.server_port AND r.protocol = p.protocol
    GROUP BY p.client, p.server`;
  },

  score: (row: Row, p) => {
    const reachablePorts = row.ports.filter((_, i) => row.reachable[i] === 1);
    const severity = row.sensitive_reachable === 1 ? 'medium' : reachablePorts.length > 0 ? 'low' : 'info';
    const services = row.ports.map((port, i) => `${port}/${protocolName(row.protocols[i] ?? 6)}`);
    const state =
      reachablePorts.length === 0
        ? 'none of them answers the internet'
        : `${portList(reachablePorts)} ${reachablePorts.length === 1 ? 'answers' : 'answer'} the internet${row.sensitive_reachable === 1 ? ', including an admin or database service' : ''}`;
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: 'inbound',
      severity,
      confidence: 0.8,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.attempts,
      explanation: `${row.client} made ${count(row.attempts)} failed or empty connection attempts to ${portList(services)} on ${row.server} (threshold ${p.minAttempts} per service); ${state}.`,
      subScores: {
        persistence: round(Math.min(1, row.attempts / (10 * p.minAttempts))),
        failedShare: round(row.failed / row.attempts),
      },
      metrics: {
        attempts: row.attempts,
        failed: row.failed,
        services: services.join(' '),
        reachablePorts: reachablePorts.join(' '),
      },
      evidence: { client: row.client, server: row.server, serverPorts: row.ports },
    };
  },
});
