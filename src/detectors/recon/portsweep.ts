import type { Direction } from '../../finding.js';
import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, portList, protocolName, round } from '../describe.js';
import { TRW_PARAMS, thresholdRandomWalk, trwScore } from '../trw.js';

interface Row {
  client: string;
  /** distinct hosts contacted on the swept ports */
  hosts: number;
  /** of those, hosts that never answered on any swept port */
  unanswered_hosts: number;
  /** hosts whose probes a security group or network ACL rejected */
  rejected_hosts: number;
  connections: number;
  first_seen: number;
  last_seen: number;
  /** the direction towards the swept hosts inside the monitored networks, and towards the others */
  toward_ours: Direction | null;
  toward_others: Direction | null;
  /** first contact per host, in time order: 1 = failed */
  outcomes: number[];
  /** the swept ports (those with at least minHosts unanswered hosts), with protocol and unanswered hosts */
  ports: number[];
  port_protocols: number[];
  port_unanswered: number[];
}

export default defineDetector({
  id: 'portsweep',
  title: 'Horizontal port scan (sweep)',
  description:
    'One source probing the same port on many hosts, most first contacts failing (Threshold Random Walk over hosts, as in SiLK rwscan). One finding per source, whatever the number of ports swept; a sweep where nearly every host answers is not reported, as it cannot be told from a fleet client (monitoring, configuration management, load balancer health checks).',
  status: 'stable',
  attack: ['T1046', 'T1595.001'],
  severity: 'medium',
  rollsUp: true,
  asffType: 'TTPs/Discovery/Network Service Discovery',
  portChart: 'sweep',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without:
        'a failed TCP first contact is guessed from packet counts (at most 2 each way), not from SYN/SYN-ACK/RST',
    },
    {
      field: 'packets',
      without:
        'an answer is seen only in TCP flags: every UDP probe looks unanswered, and without tcp_flags too every connection does',
    },
    {
      field: 'action',
      without: 'probes a security group or network ACL rejected are not counted apart (rejectedHosts)',
    },
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
      'client_rejected',
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'your own vulnerability scanners and asset discovery (allowlist them by CIDR)',
    'clients with a stale list of cluster members (Cassandra, Kafka, Consul) after the cluster was replaced',
    'peer-to-peer software (BitTorrent, blockchain nodes) dialling many peers on one port',
    'NAT gateway and load balancer addresses when the logs lack pkt-srcaddr: many clients behind one address',
  ],
  references: [
    'Jung, Paxson, Berger, Balakrishnan: Fast Portscan Detection Using Sequential Hypothesis Testing (IEEE S&P 2004)',
    'SiLK rwscan',
    'Zeek policy/misc/scan.zeek: Scan::addr_scan_threshold, 25 hosts with failed connections on one port',
    'Stratosphere Slips horizontal port scan (not-established flows to one port on 5 or more hosts)',
    'Amazon GuardDuty Impact:EC2/PortSweep (an EC2 instance probing a port on a large number of IP addresses)',
  ],
  params: {
    minHosts: param(
      25,
      'hosts',
      'hosts that never answered on one port before a sweep is considered; Zeek scan.zeek uses 25 (Slips starts at 5 per one-hour window, too low for logs spanning days)',
    ),
    highHosts: param(
      256,
      'hosts',
      'a sweep from one of your hosts wider than a /24 (256 addresses) is high severity: more than one subnet mapped',
    ),
    ...TRW_PARAMS,
    protocols: param([6, 17], 'protocol numbers', 'TCP and UDP: the protocols with ports'),
  },

  // per_target: one row per (client, port, host); swept: the client's ports with at least minHosts
  // hosts that never answered; per_host: first contact per host over the swept ports only.
  // Contacts in one second are common (a sweep sends hundreds), and the walk reads them in order: time,
  // then port and host, so that its verdict never depends on which thread returned a row first.
  feature: (p, { dialect: d, direction }) => {
    const portOrder = 'server_port * 256 + protocol';
    return `
    WITH per_target AS (
      SELECT client, protocol, server_port, server,
        max(client_internal) AS client_internal, max(server_internal) AS server_internal,
        min(first_seen) AS first_seen, max(last_seen) AS last_seen, count(*) AS connections,
        ${d.argMin('failed', '(first_seen, client_port, failed)')} AS first_failed,
        min(failed) AS never_answered,
        max(client_rejected) AS rejected
      FROM fh_connections
      WHERE protocol IN (${sqlIntList(p.protocols)}) AND client <> server
      GROUP BY client, protocol, server_port, server
    ),
    swept AS (
      SELECT client, protocol, server_port, sum(never_answered) AS unanswered
      FROM per_target
      GROUP BY client, protocol, server_port
      HAVING sum(never_answered) >= ${sqlNumber(p.minHosts)}
    ),
    per_host AS (
      SELECT t.client, t.server,
        max(t.client_internal) AS client_internal, max(t.server_internal) AS server_internal,
        min(t.first_seen) AS first_seen, max(t.last_seen) AS last_seen, sum(t.connections) AS connections,
        ${d.argMin('t.first_failed', '(t.first_seen, t.server_port, t.protocol, t.first_failed)')} AS first_failed,
        min(t.never_answered) AS never_answered, max(t.rejected) AS rejected
      FROM per_target t
      JOIN swept s ON s.client = t.client AND s.protocol = t.protocol AND s.server_port = t.server_port
      GROUP BY t.client, t.server
    ),
    per_client AS (
      SELECT client, count(*) AS hosts, sum(never_answered) AS unanswered_hosts, sum(rejected) AS rejected_hosts,
        sum(connections) AS connections, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
        max(CASE WHEN server_internal = 1 THEN ${direction} END) AS toward_ours,
        max(CASE WHEN server_internal = 0 THEN ${direction} END) AS toward_others,
        ${d.orderedList('first_failed', 'first_seen, server')} AS outcomes
      FROM per_host
      GROUP BY client
    ),
    port_lists AS (
      SELECT client, ${d.orderedList('server_port', portOrder)} AS ports,
        ${d.orderedList('protocol', portOrder)} AS port_protocols,
        ${d.orderedList('unanswered', portOrder)} AS port_unanswered
      FROM swept
      GROUP BY client
    )
    SELECT c.*, l.ports, l.port_protocols, l.port_unanswered
    FROM per_client c JOIN port_lists l ON l.client = c.client`;
  },

  score: (row: Row, p) => {
    const walk = thresholdRandomWalk(
      row.outcomes.map((failed) => failed === 1),
      p,
    );
    if (!walk.scanner) return undefined;
    // towards our own hosts when any swept host is ours: that is the part worth naming
    const direction = row.toward_ours ?? row.toward_others ?? 'external';
    const ours = direction === 'outbound' || direction === 'internal';
    const severity = !ours ? 'low' : row.hosts >= p.highHosts ? 'high' : 'medium';
    const labels = row.ports.map((port, i) => `${port}/${protocolName(row.port_protocols[i] ?? -1)}`);
    const protocols = [...new Set(row.port_protocols)];
    return {
      actor: row.client,
      target: null,
      targetCount: row.hosts,
      direction,
      severity,
      confidence: 0.9,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation: `${row.client} probed ${count(row.hosts)} hosts on ${portList(labels)} (threshold ${count(p.minHosts)} unanswered hosts on one port); ${count(row.unanswered_hosts)} never answered and the sequential test (TRW) reached a likelihood ratio of ${count(walk.peakRatio)} (threshold ${count(walk.upper)}) after ${count(walk.steps)} hosts.`,
      subScores: {
        breadth: round(logShare(row.hosts, 65536)),
        failedShare: round(row.unanswered_hosts / row.hosts),
        walk: round(trwScore(walk)),
      },
      metrics: {
        hosts: row.hosts,
        unansweredHosts: row.unanswered_hosts,
        rejectedHosts: row.rejected_hosts,
        connections: row.connections,
        ports: labels.join(', '),
        portCount: labels.length,
        unansweredPerPort: row.port_unanswered.join(', '),
        trwRatio: round(walk.peakRatio),
      },
      evidence: {
        client: row.client,
        serverPorts: [...new Set(row.ports)],
        ...(protocols.length === 1 ? { protocol: protocols[0] } : {}),
      },
    };
  },
});
