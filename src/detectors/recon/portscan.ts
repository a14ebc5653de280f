import { sqlIntList } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, protocolName, round } from '../describe.js';
import { TRW_PARAMS, thresholdRandomWalk, trwScore } from '../trw.js';

interface Row {
  client: string;
  server: string;
  protocol: number;
  direction: 'inbound' | 'outbound' | 'internal' | 'external';
  ports: number;
  /** most distinct ports first contacted within one window */
  peak_ports: number;
  connections: number;
  failed_ports: number;
  answered_ports: number;
  first_seen: number;
  last_seen: number;
  /** first contact per port, in time order: 1 = failed */
  outcomes: number[];
}

export default defineDetector({
  id: 'portscan',
  title: 'Vertical port scan',
  description:
    'One source contacting many ports of one host, most first contacts failing (Threshold Random Walk, as in SiLK rwscan).',
  status: 'stable',
  attack: ['T1046', 'T1595.001'],
  severity: 'medium',
  rollsUp: true,
  asffType: 'TTPs/Discovery/Network Service Discovery',
  portChart: 'evidence',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without: 'a failed first contact is guessed from packet counts, not from SYN/SYN-ACK/RST',
    },
    { field: 'action', without: 'security-group rejections are not seen as failures' },
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
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'your own vulnerability scanners and asset discovery (allowlist them by CIDR)',
    'a client trying a handful of fallback ports of one service while the service is down',
    'a client whose FTP passive or RPC dynamic-port data connections to one server are blocked: each failed transfer is a new port, a slow scan of a few ports over the day (low below slowMediumPorts)',
  ],
  references: [
    'Jung, Paxson, Berger, Balakrishnan: Fast Portscan Detection Using Sequential Hypothesis Testing (IEEE S&P 2004)',
    'SiLK rwscan; Stratosphere Slips vertical port scan (5 destination ports)',
    'Amazon GuardDuty Recon:EC2/Portscan',
  ],
  params: {
    minPorts: param(
      5,
      'ports',
      'distinct ports on one host in one window before the walk can decide; Slips uses 5',
    ),
    window: param(
      3600,
      'seconds',
      'minPorts counts ports within one window of this length (Slips analyses one-hour time windows): a burst of ports is a scan, six ports tried over a day are not',
    ),
    minSlowPorts: param(
      5,
      'ports',
      'a slow scan, spread over the whole capture, the walk deciding as for a burst: in the Stratosphere attacked-host captures (008, 010) over 70 internet sources tried 5 to 9 ports of the host over 2 to 23 hours, never 5 within an hour, every first contact failing, and all are labelled attackers (Censys among them); no benign source there or in CTU-13 #11 does so. A client trying a few services of a host that mostly answer never convinces the walk',
    ),
    slowMediumPorts: param(
      10,
      'ports',
      'a slow scan from one of our hosts is medium from this many ports, low below: a client whose blocked FTP passive or RPC dynamic-port connections fail on a new port of one server every hour or two reads as a slow scan of a few ports; ten failed ports over a day it rarely reaches',
    ),
    minPortsWithoutWalk: param(
      100,
      'ports',
      'so many distinct ports on one host is a scan even when the ports answer (an all-open target)',
    ),
    highPorts: param(1000, 'ports', 'a scan of this many ports from one of your hosts is high severity'),
    ...TRW_PARAMS,
    protocols: param([6, 17], 'protocol numbers', 'TCP and UDP: the protocols with ports'),
  },

  // Necessary conditions first, cheap aggregates only: a pair needs as many connections as the
  // ports it must reach, and then as many distinct ports in one window or over the whole span. Only
  // the pairs left get the ordered list of first contacts the walk needs (an ordered list for every
  // pair of a busy capture held gigabytes). First contacts tie on time (a scanner sends a port a
  // millisecond): the walk reads them by time, then port, and a port's first outcome by time, then
  // client port, so that the verdict never depends on row order.
  feature: (p, { dialect: d, direction }) => {
    const fewest = Math.min(p.minPorts, p.minSlowPorts, p.minPortsWithoutWalk);
    return `
    WITH busy AS (
      SELECT client, server, protocol FROM fh_connections
      WHERE protocol IN (${sqlIntList(p.protocols)})
      GROUP BY client, server, protocol HAVING count(*) >= ${fewest}
    ),
    per_port AS (
      SELECT c.client, c.server, c.protocol, c.server_port, ${direction} AS direction,
        min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen, count(*) AS connections,
        ${d.argMin('c.failed', '(c.first_seen, c.client_port, c.failed)')} AS first_failed,
        max(CASE WHEN c.failed = 0 THEN 1 ELSE 0 END) AS answered
      FROM fh_connections c
      JOIN busy b ON b.client = c.client AND b.server = c.server AND b.protocol = c.protocol
      GROUP BY c.client, c.server, c.protocol, c.server_port, ${direction}
    ),
    per_window AS (
      SELECT client, server, protocol, count(*) AS ports
      FROM per_port GROUP BY client, server, protocol, floor(first_seen / ${p.window})
    ),
    candidates AS (
      SELECT client, server, protocol, max(ports) AS peak_ports, sum(ports) AS ports
      FROM per_window GROUP BY client, server, protocol
      HAVING max(ports) >= ${p.minPorts} OR sum(ports) >= ${Math.min(p.minSlowPorts, p.minPortsWithoutWalk)}
    )
    SELECT k.client, k.server, k.protocol, k.peak_ports, max(pp.direction) AS direction, count(*) AS ports,
      sum(pp.connections) AS connections, sum(pp.first_failed) AS failed_ports, sum(pp.answered) AS answered_ports,
      min(pp.first_seen) AS first_seen, max(pp.last_seen) AS last_seen,
      ${d.orderedList('pp.first_failed', 'pp.first_seen, pp.server_port')} AS outcomes
    FROM candidates k
    JOIN per_port pp ON pp.client = k.client AND pp.server = k.server AND pp.protocol = k.protocol
    GROUP BY k.client, k.server, k.protocol, k.peak_ports`;
  },

  score: (row: Row, p) => {
    const walk = thresholdRandomWalk(
      row.outcomes.map((failed) => failed === 1),
      p,
    );
    const burst = row.peak_ports >= p.minPorts;
    const slow = row.ports >= p.minSlowPorts;
    if (!(walk.scanner && (burst || slow)) && row.ports < p.minPortsWithoutWalk) return undefined;
    const ours = row.direction === 'outbound' || row.direction === 'internal';
    const slowAndFew = !burst && row.ports < p.slowMediumPorts;
    const severity = !ours || slowAndFew ? 'low' : row.ports >= p.highPorts ? 'high' : 'medium';
    const proto = protocolName(row.protocol);
    const because = walk.scanner
      ? `${count(row.failed_ports)} of ${count(row.ports)} first contacts failed and the sequential test (TRW) reached a likelihood ratio of ${count(walk.peakRatio)} (threshold ${count(walk.upper)}) after ${count(walk.steps)} ports`
      : `${count(row.ports)} ports is above ${count(p.minPortsWithoutWalk)}, a scan even though ${count(row.answered_ports)} answered`;
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: row.direction,
      severity,
      confidence: walk.scanner ? 0.9 : 0.6,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation: `${row.client} contacted ${count(row.ports)} distinct ${proto} ports on ${row.server}, ${
        burst
          ? `${count(row.peak_ports)} of them within ${count(p.window / 60)} minutes (threshold ${p.minPorts})`
          : `a slow scan, at most ${count(row.peak_ports)} within ${count(p.window / 60)} minutes (threshold ${p.minSlowPorts} over the whole span)`
      }; ${because}.`,
      subScores: {
        breadth: round(logShare(row.ports, 65535)),
        failedShare: round(row.failed_ports / row.ports),
        walk: round(trwScore(walk)),
      },
      metrics: {
        ports: row.ports,
        peakWindowPorts: row.peak_ports,
        failedPorts: row.failed_ports,
        answeredPorts: row.answered_ports,
        connections: row.connections,
        protocol: proto,
        trwRatio: round(walk.peakRatio),
      },
      evidence: { client: row.client, server: row.server, protocol: row.protocol },
    };
  },
});
