import type { Direction, Severity } from '../../finding.js';
import { sqlNumber } from '../../store/dialect.js';
import { scoreBeacon } from '../beaconScore.js';
import { defineDetector, param } from '../define.js';
import { count, portList, protocolName, round } from '../describe.js';
import { awsEndpoint, INFRASTRUCTURE_PORTS, outboundToHostsSql } from '../outbound.js';
import { duration } from '../timeWindows.js';

/** One internal client → external server pair; the lists hold one entry per attempt, in time order. */
interface Row {
  client: string;
  server: string;
  direction: Direction;
  aws_service: string | null;
  /** each check-in in time order: start, bytes both ways, failed (1 = rejected, unanswered or refused) */
  checkins: { start: number; bytes: number; failed: number }[];
  ports: number[];
  protocols: number[];
  /** what the logs cover: first and last record of any connection */
  capture_from: number;
  capture_to: number;
  /** internal hosts that called the server, and internal hosts that reach the internet at all */
  server_clients: number;
  population: number;
}

export default defineDetector({
  id: 'beacon',
  title: 'Beaconing (periodic calls to an internet host)',
  description:
    'An internal host connecting to one internet host on a timer, as an implant calls its command-and-control server: intervals between connection starts symmetric and tight, payloads alike, the calling kept up over the capture (RITA-style sub-scores, combined by a weighted geometric mean). Connections that failed are left out of the intervals; a host that only ever fails to reach its peer (a dead or sinkholed C2 server) is scored on its attempts, one severity lower.',
  status: 'experimental',
  attack: ['T1071', 'T1573', 'T1029'],
  severity: 'high',
  asffType: 'TTPs/Command and Control/Application Layer Protocol',
  requires: ['src_addr', 'dst_addr', 'src_port', 'dst_port', 'protocol', 'start_time'],
  uses: [
    {
      field: 'bytes',
      without: 'payload sizes cannot be compared: the size sub-scores are left out and timing alone decides',
    },
    {
      field: 'packets',
      without:
        'answered connections cannot be told from failed ones: every connection is scored as an attempt',
    },
    {
      field: 'tcp_flags',
      without: 'a refused or unanswered TCP attempt is told from an answered one by packet counts only',
    },
    { field: 'action', without: 'attempts a security group rejected look like unanswered ones' },
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
      'out_bytes',
      'in_bytes',
      'failed',
      'client_internal',
      'server_internal',
      'server_aws_service',
    ],
    flows: [],
  },
  falsePositives: [
    'update and licence checks that mostly find nothing new (an hourly poll answered "not modified"): allowlist the vendor as target',
    'telemetry and monitoring agents pushing small reports to a SaaS every minute (allowlist the SaaS); AWS endpoints such as SSM and CloudWatch are reported at info only',
    'a client retrying an unreachable service on a fixed schedule for hours: an unanswered beacon, rated one level lower',
    'blind spot: a UDP beacon that keeps one source port is a single connection in VPC logs and has no intervals',
  ],
  references: [
    'Active Countermeasures RITA: beacon analysis (Bowley skew and MAD of intervals and data sizes, duration and histogram scores)',
    'MITRE ATT&CK T1071 Application Layer Protocol, T1573 Encrypted Channel, T1029 Scheduled Transfer',
    'Cobalt Strike and Sliver default sleep 60 s with configurable jitter',
  ],
  params: {
    protocols: param(
      [6, 17],
      'protocol numbers',
      'TCP and UDP; ICMP has no ports, so in VPC logs all pings between two hosts are one connection without intervals',
    ),
    infrastructurePorts: param(
      INFRASTRUCTURE_PORTS,
      'port list',
      'DNS and NTP are periodic by design (an NTP client polls every 64-1024 s, a resolver is asked at every lookup): the false positives RITA users meet first',
    ),
    maxCheckIns: param(
      3000,
      'check-ins',
      'the first this many check-ins of a pair are scored (two days at one a minute): enough to judge a timer, and it bounds the memory a chatty pair (an app and its API) takes in a large capture',
    ),
    minConnections: param(
      10,
      'check-ins',
      'quartiles of fewer than 9 intervals move with one late check-in; a day of hourly calls gives 24, half an hour at the common 60 s default sleep (Cobalt Strike, Sliver) 30',
    ),
    minSpan: param(
      1800,
      'seconds',
      'first to last check-in: an implant calls for as long as its host runs, while a retry loop or a client polling a job stops within minutes; three 10-minute VPC aggregation intervals',
    ),
    minInterval: param(
      1,
      'seconds',
      'connections opened less than a second apart are one check-in (two connections per call, a request and its immediate retry); VPC start times are whole seconds',
    ),
    minQuartileSpread: param(
      10,
      'seconds',
      'interval quartiles closer than this are clock noise (whole-second VPC times that can lag by seconds): the interval skew is taken as 0, as RITA does',
    ),
    maxIntervalDispersion: param(
      0.5,
      'ratio, MAD/median of intervals',
      'the interval-dispersion sub-score falls linearly from 1 to 0 here: ±10% jitter has 0.05 (sub-score 0.9), a 50% Cobalt Strike jitter about 0.17, random (Poisson) arrivals 0.69',
    ),
    minSizeQuartileSpread: param(
      64,
      'bytes',
      'size quartiles within 64 bytes are one payload (a timestamp, nonce or cookie changes a few dozen bytes): the size skew is taken as 0',
    ),
    maxSizeDispersion: param(
      0.5,
      'ratio, MAD/median of bytes',
      'the size-dispersion sub-score falls linearly to 0 here: a heartbeat varies by a few percent, a scheduled download of whatever changed by more than half',
    ),
    persistenceBuckets: param(
      24,
      'buckets',
      'coverage is the share of the capture, cut into 24 equal buckets (hourly for a day, as RITA charts it), that holds a check-in; a bucket is at least two median intervals long',
    ),
    persistentSeconds: param(
      43_200,
      'seconds',
      'calling from first to last check-in for 12 hours is fully persistent even in a longer capture (RITA: 12 consistent hours), so a beacon that started late still scores',
    ),
    intervalSkewShare: param(
      0.25,
      'share 0-1',
      'timing = 0.25 × interval skew + 0.75 × interval dispersion: random arrivals still have a skew sub-score of 0.76 and a timer that misses beats a poor one, so the dispersion decides (RITA weighs them equally)',
    ),
    sizeSkewShare: param(
      0.25,
      'share 0-1',
      'size = 0.25 × size skew + 0.75 × size dispersion: a few task results skew a heartbeat series; how far the sizes spread is what tells a heartbeat from a download',
    ),
    timingWeight: param(
      0.45,
      'exponent weight',
      'score = timing^0.45 × size^0.30 × persistence^0.25: a steady timer is what a beacon is, so random arrivals (timing 0.19) score under 0.5 whatever else',
    ),
    sizeWeight: param(
      0.3,
      'exponent weight',
      'alike payloads separate a heartbeat from a scheduled job that downloads whatever changed (size at most 0.25: score under 0.7 even with perfect timing)',
    ),
    persistenceWeight: param(
      0.25,
      'exponent weight',
      'an implant keeps calling, a burst of polling does not: a 10-minute burst in a day (persistence 0.04) scores under 0.5',
    ),
    mediumScore: param(
      0.7,
      'score 0-1',
      'reported from here: with size and persistence perfect, intervals whose MAD is about a third of the median (0.37); or a perfect timer calling through a quarter of the capture',
    ),
    highScore: param(
      0.8,
      'score 0-1',
      'high from here: with the rest perfect, a MAD up to about a quarter of the median (0.26, beyond a 50% Cobalt Strike jitter) or calling through 40% of the capture; ±10% jitter scores about 0.96',
    ),
    webPorts: param(
      [80, 443, 8080, 8443],
      'port list',
      'the agents of every vendor (OS telemetry, updaters, antivirus, monitoring) poll over HTTP(S) on timers with alike payloads, which flow logs cannot tell from an implant: on these ports a beacon is rated low unless its server is rare',
    ),
    minPopulation: param(
      20,
      'internal hosts',
      'how rare a server is means something only when at least this many internal hosts reach the internet; in a smaller capture no web-port beacon is raised above low',
    ),
    maxRareShare: param(
      0.05,
      'ratio of internal hosts',
      'a server called by at most 5% of the internal hosts that reach the internet is rare (with 20 hosts: this one alone): an implant calls a server nobody else uses, a vendor endpoint is called by the fleet (RITA raises beacons whose prevalence is 2% or less)',
    ),
  },

  feature: (p, { dialect: d, direction }) => `
    WITH capture AS (
      SELECT min(first_seen) AS capture_from, max(last_seen) AS capture_to FROM fh_connections
    ),
    outbound AS (
      SELECT client, server FROM fh_connections WHERE client_internal = 1 AND server_internal = 0
    ),
    population AS (
      SELECT count(DISTINCT client) AS hosts FROM outbound
    ),
    attempt AS (
      SELECT client, server, server_port, protocol, max(${direction}) AS direction,
        min(first_seen) AS start, sum(out_bytes + in_bytes) AS bytes, min(failed) AS failed,
        max(server_aws_service) AS aws_service
      FROM fh_connections
      WHERE ${outboundToHostsSql(p.protocols, p.infrastructurePorts)}
      GROUP BY client, server, client_port, server_port, protocol,
        CASE WHEN protocol = 6 THEN 0 ELSE first_seen END
    ),
    pairs AS (
      SELECT client, server FROM attempt GROUP BY client, server
      HAVING count(*) >= ${sqlNumber(p.minConnections)} AND max(start) - min(start) >= ${sqlNumber(p.minSpan)}
    ),
    callers AS (
      SELECT server, count(DISTINCT client) AS clients FROM outbound
      WHERE server IN (SELECT server FROM pairs) GROUP BY server
    ),
    picked AS (
      SELECT attempt.*, row_number() OVER (
          PARTITION BY attempt.client, attempt.server
          ORDER BY attempt.start, attempt.server_port, attempt.protocol, attempt.bytes, attempt.failed) AS seq
      FROM attempt JOIN pairs ON pairs.client = attempt.client AND pairs.server = attempt.server
    ),
    capped AS (
      SELECT * FROM picked WHERE seq <= ${sqlNumber(p.maxCheckIns)}
    )
    SELECT capped.client, capped.server, max(capped.direction) AS direction,
      max(capped.aws_service) AS aws_service,
      ${d.orderedRecords({ start: 'capped.start', bytes: 'capped.bytes', failed: 'capped.failed' }, 'capped.seq')}
        AS checkins,
      ${d.distinctList('capped.server_port')} AS ports,
      ${d.distinctList('capped.protocol')} AS protocols,
      min(capture.capture_from) AS capture_from, max(capture.capture_to) AS capture_to,
      max(callers.clients) AS server_clients, max(population.hosts) AS population
    FROM capped
    JOIN callers ON callers.server = capped.server
    CROSS JOIN capture CROSS JOIN population
    GROUP BY capped.client, capped.server`,

  score: (row: Row, p) => {
    const attempts = row.checkins.map((c) => ({ start: c.start, bytes: c.bytes, failed: c.failed === 1 }));
    // Failed connections are left out of the intervals: a failed call is retried on its own schedule,
    // and its SYN-sized "payload" is alike by construction. Only when too few calls were answered are
    // the attempts themselves scored, on timing and persistence alone.
    const answered = attempts.filter((a) => !a.failed);
    const unanswered = answered.length < p.minConnections;
    const series = unanswered ? attempts : answered;
    const sized = !unanswered && series.some((a) => a.bytes > 0);
    const s = scoreBeacon(
      series.map((a) => a.start),
      sized ? series.map((a) => a.bytes) : undefined,
      { from: row.capture_from, to: row.capture_to },
      p,
    );
    if (!s || s.checkIns < p.minConnections || s.score < p.mediumScore) return undefined;
    const first = s.starts[0] ?? 0;
    const last = s.starts[s.starts.length - 1] ?? first;
    if (last - first < p.minSpan) return undefined;
    // the services the pair used, answered or not (a C2 falling back to another port is one series)
    const ports = [...row.ports].sort((a, b) => a - b);
    const protocols = [...row.protocols].sort((a, b) => a - b);
    const service = `${protocols.map(protocolName).join('/')} ${portList(ports)}`;
    const { severity, notes } = rate(
      {
        score: s.score,
        unanswered,
        attempts: attempts.length,
        answered: answered.length,
        web: ports.every((port) => p.webPorts.includes(port)),
        clients: row.server_clients,
        population: row.population,
        endpoint: awsEndpoint(row.aws_service),
      },
      p,
    );
    const sizes =
      s.medianBytes !== undefined
        ? `, ${count(s.medianBytes)} bytes each (median; MAD ${count(s.madBytes ?? 0)})`
        : '';
    const held = s.persistence;
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: row.direction,
      severity,
      confidence: unanswered ? 0.6 : 0.8,
      firstSeen: first,
      lastSeen: last,
      count: series.length,
      explanation: `${row.client} called ${row.server} (${service}) ${count(s.checkIns)} times over ${duration(last - first)}, every ${interval(s.medianInterval)} (median; MAD ${interval(s.madInterval)})${sizes}, in ${held.occupied} of ${held.buckets} time buckets: beacon score ${round(s.score)} (medium from ${p.mediumScore}, high from ${p.highScore})${notes.map((n) => `; ${n}`).join('')}.`,
      subScores: Object.fromEntries(
        Object.entries(s.subScores).map(([name, value]) => [name, round(value ?? 0)]),
      ),
      metrics: {
        score: round(s.score),
        checkIns: s.checkIns,
        attempts: attempts.length,
        answered: answered.length,
        scoredOn: unanswered ? 'attempts' : 'answered connections',
        medianInterval: round(s.medianInterval, 1),
        madInterval: round(s.madInterval, 1),
        intervalSkewness: round(s.intervalSkewness),
        ...(s.medianBytes !== undefined
          ? { medianBytes: round(s.medianBytes), madBytes: round(s.madBytes ?? 0) }
          : {}),
        spanSeconds: round(last - first),
        bucketsWithCalls: held.occupied,
        buckets: held.buckets,
        endurance: round(held.endurance),
        histogramBinSeconds: round(s.histogram.binSeconds, 1),
        intervalHistogram: s.histogram.counts.join(','),
        ports: portList(ports, 10),
        protocol: protocols.map(protocolName).join('/'),
        serverCallers: row.server_clients,
        internalHosts: row.population,
        ...(row.aws_service ? { awsService: row.aws_service } : {}),
      },
      evidence: {
        client: row.client,
        server: row.server,
        serverPorts: ports,
        ...(protocols.length === 1 ? { protocol: protocols[0] } : {}),
      },
    };
  },
});

// ——— internal helpers ———

interface Facts {
  score: number;
  unanswered: boolean;
  attempts: number;
  answered: number;
  /** every port of the series is a web port */
  web: boolean;
  /** internal hosts calling the server; internal hosts reaching the internet */
  clients: number;
  population: number;
  endpoint: string | undefined;
}

/**
 * Severity from the score (high from highScore, medium from mediumScore), then, each saying so:
 * - unanswered: one level lower (high → medium, medium → low). The host keeps calling, but nothing was
 *   exchanged, and a client retrying a dead service looks the same.
 * - on web ports: low, unless the server is rare (called by at most maxRareShare of at least
 *   minPopulation internal hosts). Vendors' agents poll there on timers; an implant's server is called
 *   by the infected host alone, a vendor's by the fleet.
 * - an AWS endpoint (S3, the regional APIs): info whatever the score.
 */
function rate(
  f: Facts,
  p: { mediumScore: number; highScore: number; minPopulation: number; maxRareShare: number },
): { severity: Severity; notes: string[] } {
  const notes: string[] = [];
  let severity: Severity = f.score >= p.highScore ? 'high' : 'medium';
  if (f.unanswered) {
    severity = severity === 'high' ? 'medium' : 'low';
    const few = f.answered === 0 ? 'none' : `only ${count(f.answered)}`;
    notes.push(
      `${few} of ${count(f.attempts)} attempts answered (a dead or sinkholed server, or a service that is down): one level lower`,
    );
  }
  const callers = `called by ${count(f.clients)} of ${count(f.population)} internal hosts`;
  if (f.endpoint) {
    notes.push(`the server is an AWS endpoint (${f.endpoint}), where agents poll all day: info`);
    return { severity: 'info', notes };
  }
  if (f.web) {
    const rare = f.population >= p.minPopulation && f.clients <= p.maxRareShare * f.population;
    if (rare) notes.push(`the server is rare, ${callers}`);
    else {
      severity = 'low';
      notes.push(
        `on a web port, where vendors' agents poll on timers, and the server is not rare (${callers}; rare is at most ${round(p.maxRareShare * 100)}% of at least ${count(p.minPopulation)}): low`,
      );
    }
  }
  return { severity, notes };
}

/** An interval for a sentence: "23.1 s" under two minutes, else as duration() words. */
const interval = (seconds: number): string =>
  seconds < 120 ? `${round(seconds, seconds < 1 ? 2 : 1)} s` : duration(seconds);
