import type { Direction } from '../../finding.js';
import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, protocolName, round } from '../describe.js';
import { TRW_PARAMS, thresholdRandomWalk, trwScore } from '../trw.js';

interface Row {
  actor: string;
  protocol: number;
  /** hosts the actor exchanged ICMP requests with (pinged, or answered exchanges it may have started) */
  hosts: number;
  /** hosts it certainly sent requests to: unanswered, or of a known request type */
  directed_hosts: number;
  /** hosts it sent a request of a known type to (flows from Zeek or Argus; VPC logs no type) */
  request_hosts: number;
  answered_hosts: number;
  /** hosts pinged over at least repeatSpan seconds */
  repeated_hosts: number;
  /** ICMP messages sent: the client's records (per aggregation window in VPC logs, per exchange in Zeek/Argus) */
  attempts: number;
  first_seen: number;
  last_seen: number;
  toward_ours: Direction | null;
  toward_others: Direction | null;
  /** first contact per host, in time order: 1 = unanswered */
  outcomes: number[];
}

export default defineDetector({
  id: 'pingsweep',
  title: 'ICMP ping sweep',
  description:
    'One source sending ICMP echo (or timestamp, address-mask) requests to many hosts, most unanswered (Threshold Random Walk over hosts). VPC flow logs give ICMP no type (0 0) and no direction when both ways are logged, so an answered exchange counts for the walk but never towards the threshold, and ICMP back to a host that opened TCP/UDP to the sender is taken for an error reply, not a ping. A source that pings a fixed set of hosts again and again, most of them answering, is monitoring: it is reported at info severity with low confidence rather than dropped, so it stays visible without alerting (allowlist it to silence it).',
  status: 'stable',
  attack: ['T1018', 'T1595.001'],
  severity: 'medium',
  rollsUp: true,
  asffType: 'TTPs/Discovery/Remote System Discovery',
  requires: ['src_addr', 'dst_addr', 'protocol', 'start_time'],
  uses: [
    {
      field: 'src_port',
      without:
        'the ICMP type is unknown (as in VPC logs, which write 0 0): unreachable and time-exceeded messages cannot be told from echo requests',
    },
    {
      field: 'end_time',
      without: 'how long each host was pinged is not known, so monitoring on a schedule is not recognised',
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
      'attempts',
      'server_rejected',
      'orientation',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'monitoring systems pinging a fixed list of hosts (reported at info severity; allowlist them by CIDR)',
    'your own asset discovery and vulnerability scanners (allowlist them by CIDR)',
    'in VPC logs, a router or firewall sending unreachable / time-exceeded messages to many hosts whose traffic is not in the logs',
  ],
  references: [
    'Stratosphere Slips ICMP scans (pingscan_minimum_scanned_ips 5; its Zeek scripts alert at 25 ICMP flows)',
    'Zeek policy/misc/scan.zeek: Scan::addr_scan_threshold, 25 hosts',
    'Jung, Paxson, Berger, Balakrishnan: Fast Portscan Detection Using Sequential Hypothesis Testing (IEEE S&P 2004)',
    'Nmap host discovery: -PE echo (type 8), -PP timestamp (13), -PM address mask (17); ICMPv6 echo request 128 (RFC 4443)',
    'AWS VPC Flow Logs record examples: ICMP logged with source and destination port 0',
  ],
  params: {
    minHosts: param(
      25,
      'hosts',
      'hosts the source certainly pinged (unanswered, or a known request type) before a sweep is considered; Zeek scan.zeek and the Slips ICMP scripts use 25 (Slips itself starts at 5 per one-hour window, too low for logs spanning days)',
    ),
    highHosts: param(
      256,
      'hosts',
      'a sweep from one of your hosts wider than a /24 (256 addresses) is high severity: more than one subnet mapped',
    ),
    requestTypes: param(
      [8, 13, 17, 128],
      'ICMP types',
      'requests that discover hosts: echo (8), timestamp (13), address mask (17) as nmap -PE/-PP/-PM send them, ICMPv6 echo (128); any other logged type (3 unreachable, 11 time exceeded, 135 neighbour solicitation) is not a ping',
    ),
    repeatSpan: param(
      900,
      'seconds',
      'a host pinged over at least this long was pinged repeatedly: longer than one 10-minute VPC aggregation interval plus the up to 60 s AWS adds to a record end, so one round never qualifies',
    ),
    monitoringShare: param(
      0.9,
      'ratio 0-1',
      'share of hosts pinged repeatedly for the source to look like monitoring of a fixed list rather than a sweep with a few retries',
    ),
    monitoringAnswered: param(
      0.5,
      'ratio 0-1',
      'share of hosts that must answer for repeated pinging to be monitoring: a monitor watches hosts that exist, a timed sweep of empty address space stays a sweep',
    ),
    ...TRW_PARAMS,
    protocols: param([1, 58], 'protocol numbers', 'ICMP and ICMPv6, the protocols that carry pings'),
  },

  // icmp: requests of a known type, or of unknown type (0 0, as VPC logs every ICMP message).
  // echoed_back: Zeek and Argus flows keep the type in the reply row too, so an echo and its reply
  //   are two one-sided connections; the reverse one is the answer.
  // opened_by_peer: the peer opened TCP/UDP to the host, so ICMP of unknown type back to it is taken
  //   for an error reply (unreachable), not a ping.
  // Marker columns (echoed, opened) rather than IS NULL after a LEFT JOIN: ClickHouse fills
  // unmatched columns with defaults unless join_use_nulls is set.
  // sides: who may have sent the requests. A one-sided exchange or a known request type says; an
  //   answered exchange of unknown type does not, and is counted for both ends, as answered.
  feature: (p, { dialect: d, direction }) => {
    const protocols = sqlIntList(p.protocols);
    const requests = sqlIntList(p.requestTypes);
    return `
    WITH icmp AS (
      SELECT client, server, client_port, protocol, first_seen, coalesce(last_seen, first_seen) AS last_seen,
        attempts, client_internal, server_internal,
        CASE WHEN client_port IN (${requests}) THEN 1 ELSE 0 END AS request,
        CASE WHEN orientation = 'one-sided' THEN 0 ELSE 1 END AS both_ways,
        server_rejected
      FROM fh_connections
      WHERE protocol IN (${protocols}) AND client <> server
        AND (client_port IN (${requests}) OR (client_port = 0 AND server_port = 0))
    ),
    echoed_back AS (
      SELECT DISTINCT client, server, client_port, 1 AS echoed FROM icmp WHERE request = 1
    ),
    opened_by_peer AS (
      SELECT DISTINCT client, server, 1 AS opened FROM fh_connections
      WHERE protocol NOT IN (${protocols}) AND server IN (SELECT client FROM icmp UNION SELECT server FROM icmp)
    ),
    sides AS (
      SELECT i.client AS actor, i.server AS peer, i.client_internal AS actor_internal,
        i.server_internal AS peer_internal, i.protocol, i.first_seen, i.last_seen, i.attempts, 1 AS directed, i.request,
        CASE WHEN (i.both_ways = 1 AND i.server_rejected = 0) OR coalesce(b.echoed, 0) = 1 THEN 1 ELSE 0 END AS answered
      FROM icmp i
      LEFT JOIN echoed_back b ON b.client = i.server AND b.server = i.client AND b.client_port = i.client_port
      WHERE i.request = 1 OR i.both_ways = 0
      UNION ALL
      SELECT client, server, client_internal, server_internal, protocol, first_seen, last_seen, attempts, 0, 0, 1
      FROM icmp WHERE request = 0 AND both_ways = 1
      UNION ALL
      SELECT server, client, server_internal, client_internal, protocol, first_seen, last_seen, attempts, 0, 0, 1
      FROM icmp WHERE request = 0 AND both_ways = 1
    ),
    pairs AS (
      SELECT s.actor, s.peer, max(s.actor_internal) AS client_internal, max(s.peer_internal) AS server_internal,
        max(s.protocol) AS protocol, min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen,
        sum(s.attempts) AS attempts, max(s.directed) AS directed, max(s.request) AS request, max(s.answered) AS answered
      FROM sides s
      LEFT JOIN opened_by_peer o ON o.client = s.peer AND o.server = s.actor
      WHERE s.request = 1 OR coalesce(o.opened, 0) = 0
      GROUP BY s.actor, s.peer
    )
    SELECT actor, max(protocol) AS protocol, count(*) AS hosts, sum(directed) AS directed_hosts,
      sum(request) AS request_hosts, sum(answered) AS answered_hosts,
      sum(CASE WHEN last_seen - first_seen >= ${sqlNumber(p.repeatSpan)} THEN 1 ELSE 0 END) AS repeated_hosts,
      sum(attempts) AS attempts, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
      max(CASE WHEN server_internal = 1 THEN ${direction} END) AS toward_ours,
      max(CASE WHEN server_internal = 0 THEN ${direction} END) AS toward_others,
      ${d.orderedList('1 - answered', 'first_seen, peer')} AS outcomes
    FROM pairs
    GROUP BY actor
    HAVING sum(directed) >= ${sqlNumber(p.minHosts)}`;
  },

  score: (row: Row, p) => {
    const walk = thresholdRandomWalk(
      row.outcomes.map((unanswered) => unanswered === 1),
      p,
    );
    // Without the walk, only requests of a known type make a sweep: in VPC logs the answered part
    // of an exchange has no direction.
    const knownRequests = row.request_hosts >= p.minHosts;
    if (!walk.scanner && !knownRequests) return undefined;
    const monitoring =
      row.repeated_hosts >= p.monitoringShare * row.hosts &&
      row.answered_hosts >= p.monitoringAnswered * row.hosts;
    const direction = row.toward_ours ?? row.toward_others ?? 'external';
    const ours = direction === 'outbound' || direction === 'internal';
    const severity = monitoring ? 'info' : !ours ? 'low' : row.hosts >= p.highHosts ? 'high' : 'medium';
    const typed = row.request_hosts >= row.directed_hosts / 2;
    // a known request type rules out ICMP error messages; VPC's 0 0 does not
    const confidence = monitoring ? 0.3 : !walk.scanner ? 0.6 : typed ? 0.9 : 0.75;
    const proto = protocolName(row.protocol);
    const unanswered = row.hosts - row.answered_hosts;
    const what = typed
      ? `${proto} echo (or other discovery) requests`
      : `${proto} of unlogged type (0 0, as VPC logs it)`;
    const because = monitoring
      ? `${count(row.repeated_hosts)} were pinged again and again for ${count(p.repeatSpan / 60)} minutes or more and ${count(row.answered_hosts)} answered, as monitoring does, so it is reported at info`
      : walk.scanner
        ? `${count(unanswered)} did not answer and the sequential test (TRW) reached a likelihood ratio of ${count(walk.peakRatio)} (threshold ${count(walk.upper)}) after ${count(walk.steps)} hosts`
        : `${count(row.answered_hosts)} answered, a one-off sweep of live hosts`;
    return {
      actor: row.actor,
      target: null,
      targetCount: row.hosts,
      direction,
      severity,
      confidence,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.attempts,
      explanation: `${row.actor} sent ${what} to ${count(row.hosts)} hosts (threshold ${count(p.minHosts)} hosts certainly pinged); ${because}.`,
      subScores: {
        breadth: round(logShare(row.hosts, 65536)),
        unansweredShare: round(unanswered / row.hosts),
        walk: round(trwScore(walk)),
        repeatedShare: round(row.repeated_hosts / row.hosts),
      },
      metrics: {
        hosts: row.hosts,
        directedHosts: row.directed_hosts,
        requestTypeKnownHosts: row.request_hosts,
        answeredHosts: row.answered_hosts,
        repeatedHosts: row.repeated_hosts,
        attempts: row.attempts,
        protocol: proto,
        trwRatio: round(walk.peakRatio),
      },
      evidence: { client: row.actor, protocol: row.protocol },
    };
  },
});
