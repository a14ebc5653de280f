import type { Direction } from '../../finding.js';
import { sqlNumber } from '../../store/dialect.js';
import { type BeaconRule, interval, judge, rate } from '../beaconRating.js';
import { type BeaconScore, scoreBeacon } from '../beaconScore.js';
import { defineDetector, param } from '../define.js';
import { count, portList, protocolName, round } from '../describe.js';
import { SERVICE_NAMES as LOGIN_SERVICES } from '../loginAttempts.js';
import { awsEndpoint, edgeToHostsSql, INFRASTRUCTURE_PORTS } from '../outbound.js';
import { duration } from '../timeWindows.js';

/**
 * One pair across the edge: an internal client calling an internet server (outbound), or an internet
 * client calling an internal server (inbound); the lists hold one entry per attempt, in time order.
 */
interface Row {
  client: string;
  server: string;
  direction: Direction;
  aws_service: string | null;
  /** the AWS service whose published range holds the client (inbound: Route 53 health checkers …) */
  client_aws_service: string | null;
  /** each check-in in time order: start, bytes both ways, failed (1 = rejected, unanswered or refused) */
  checkins: { start: number; bytes: number; failed: number }[];
  ports: number[];
  protocols: number[];
  /** what the logs cover: first and last record of any connection */
  capture_from: number;
  capture_to: number;
  /** hosts across the edge that called the server (outbound: internal hosts; inbound: internet
   * hosts), and internal hosts that reach the internet at all */
  server_clients: number;
  population: number;
}

export default defineDetector({
  id: 'beacon',
  title: 'Beaconing (periodic calls to or from an internet host)',
  description:
    'A host connecting to another across the edge on a timer: an internal host calling an internet host, as an implant calls its command-and-control server, or an internet host checking in to one of yours (a C2 server on a compromised instance, an implant relayed through it); the finding says which way. Intervals between connection starts symmetric and tight, payloads alike, the calling kept up over the capture (RITA-style sub-scores, combined by a weighted geometric mean). A pair that calls too briefly to be persistent is still reported when it is strongly regular while it lasts (low, medium from many check-ins). Connections that failed are left out of the intervals; a host that only ever fails to reach its peer (a dead or sinkholed C2 server) is scored on its attempts: one severity lower, or low for a short run of timed retries.',
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
      'out_packets',
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
    'a client retrying an unreachable service on a fixed schedule for hours: an unanswered beacon, rated one level lower (a few minutes of timed retries: low)',
    'inbound: uptime monitors, partner integrations and webhooks calling a web service you expose on a timer (web ports: low; allowlist the monitor); load-balancer health checks come from inside the VPC and AWS health checkers (Route 53) from AWS ranges, neither is scored',
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
      'first to last check-in for the persistent verdict (medium, high): an implant calls for as long as its host runs, while a retry loop or a client polling a job stops within minutes; three 10-minute VPC aggregation intervals. Shorter pairs are judged by the short and retries rules',
    ),
    minStrongCheckIns: param(
      20,
      'check-ins',
      'a pair shorter than minSpan (or lost in a long capture) is judged on its regularity alone, so it needs twice minConnections: 19 intervals, whose quartiles one late call cannot move; 20 minutes at a 60 s sleep, under 4 minutes at 10 s',
    ),
    strongRegularity: param(
      0.9,
      'score 0-1',
      "regularity is the score with persistence taken within the pair's own span; 0.9 needs, with alike payloads, intervals whose MAD is at most about a tenth of the median: curl loops score 1, ±10% jitter 0.96, ±20% 0.93, while ±30% scores 0.89, a 50% Cobalt Strike jitter 0.88 and Googlebot crawling a host in CTU-13 0.85. Without persistence as evidence a short run is believed only when it is a near-perfect timer",
    ),
    manyCheckIns: param(
      100,
      'check-ins',
      'a strongly regular short pair is low until it has called this often (17 minutes at 10 s, 100 minutes at the common 60 s sleep): few programs but timers and implants repeat an identical call 100 times',
    ),
    minFailedAttempts: param(
      30,
      'attempts',
      'a browser or app retrying a service that is down gives up or backs off within a dozen tries; an implant whose C2 is dead keeps calling on its timer (30 tries is 2.5 minutes at 5 s, half an hour at 60 s)',
    ),
    minFailedSpan: param(
      120,
      'seconds',
      'timed retries kept up for two minutes at least: a burst of reconnects when a link drops is over within seconds',
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
      'the agents of every vendor (OS telemetry, updaters, antivirus, monitoring) poll over HTTP(S) on timers with alike payloads, which flow logs cannot tell from an implant: on these ports a beacon is rated low unless its server is rare and it is persistent (a browser tab polls its page for minutes; inbound, your web service is called on timers by monitors and API clients: low)',
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
      -- a connection whose client sent nothing is a reply to someone else's call (backscatter), not a call
      WHERE ${edgeToHostsSql(p.protocols, p.infrastructurePorts)} AND out_packets > 0
      GROUP BY client, server, client_port, server_port, protocol,
        CASE WHEN protocol = 6 THEN 0 ELSE first_seen END
    ),
    pairs AS (
      SELECT client, server FROM attempt GROUP BY client, server
      HAVING count(*) >= ${sqlNumber(p.minConnections)} AND (max(start) - min(start) >= ${sqlNumber(p.minSpan)}
        OR count(*) >= ${sqlNumber(Math.min(p.minStrongCheckIns, p.minFailedAttempts))})
    ),
    callers AS (
      SELECT server, count(DISTINCT client) AS clients FROM fh_connections
      WHERE server IN (SELECT server FROM pairs) AND client_internal <> server_internal GROUP BY server
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
      max(capped.aws_service) AS aws_service, max(client_facts.aws_service) AS client_aws_service,
      ${d.orderedRecords({ start: 'capped.start', bytes: 'capped.bytes', failed: 'capped.failed' }, 'capped.seq')}
        AS checkins,
      ${d.distinctList('capped.server_port')} AS ports,
      ${d.distinctList('capped.protocol')} AS protocols,
      min(capture.capture_from) AS capture_from, max(capture.capture_to) AS capture_to,
      max(callers.clients) AS server_clients, max(population.hosts) AS population
    FROM capped
    JOIN callers ON callers.server = capped.server
    LEFT JOIN fh_address_facts client_facts ON client_facts.addr = capped.client
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
    const inbound = row.direction === 'inbound';
    // AWS's own health checkers (Route 53) call a public service on a timer from AWS's ranges; and an
    // inbound series nobody answered is a scanner's or a brute-forcer's, not a check-in to a server
    if (inbound && (unanswered || awsEndpoint(row.client_aws_service))) return undefined;
    const s = scoreBeacon(
      series.map((a) => a.start),
      sized ? series.map((a) => a.bytes) : undefined,
      { from: row.capture_from, to: row.capture_to },
      p,
    );
    const verdict = s && judge(s, unanswered, p);
    if (!s || !verdict) return undefined;
    const first = s.starts[0] ?? 0;
    const last = s.starts[s.starts.length - 1] ?? first;
    // the services the pair used, answered or not (a C2 falling back to another port is one series)
    const ports = [...row.ports].sort((a, b) => a - b);
    // a short regular series from the internet to a login service is password guessing at a tool's
    // fixed rate (bruteforce judges it); only a persistent one is taken for a check-in
    if (inbound && verdict.rule === 'short' && ports.every((port) => port in LOGIN_SERVICES))
      return undefined;
    const protocols = [...row.protocols].sort((a, b) => a - b);
    const service = `${protocols.map(protocolName).join('/')} ${portList(ports)}`;
    const facts = { inbound, unanswered, attempts: attempts.length, answered: answered.length };
    const { severity, notes } = rate(
      {
        ...facts,
        rule: verdict.rule,
        severity: verdict.severity,
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
    const who = inbound
      ? `${row.client} checked in to your host ${row.server} (inbound, ${service})`
      : `${row.client} called ${row.server} (${service})`;
    const said = [...(verdict.note ? [verdict.note] : []), ...notes];
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
      explanation: `${who} ${count(s.checkIns)} times over ${duration(last - first)}, every ${interval(s.medianInterval)} (median; MAD ${interval(s.madInterval)})${sizes}, in ${held.occupied} of ${held.buckets} time buckets: beacon score ${round(s.score)} (medium from ${p.mediumScore}, high from ${p.highScore})${said.map((n) => `; ${n}`).join('')}.`,
      subScores: Object.fromEntries(
        Object.entries(s.subScores).map(([name, value]) => [name, round(value ?? 0)]),
      ),
      metrics: metricsOf(row, s, { ...facts, rule: verdict.rule }, ports, protocols),
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

/** The finding's metrics: the score and its parts, the rule that decided, and the pair's figures (ports, protocols sorted). */
function metricsOf(
  row: Row,
  s: BeaconScore,
  f: { rule: BeaconRule; inbound: boolean; unanswered: boolean; attempts: number; answered: number },
  ports: readonly number[],
  protocols: readonly number[],
): Record<string, string | number> {
  const held = s.persistence;
  const first = s.starts[0] ?? 0;
  const last = s.starts[s.starts.length - 1] ?? first;
  return {
    score: round(s.score),
    rule: f.rule,
    way: f.inbound ? 'inbound' : 'outbound',
    regularity: round(s.regularity),
    spanCoverage: round(s.spanCoverage),
    checkIns: s.checkIns,
    attempts: f.attempts,
    answered: f.answered,
    scoredOn: f.unanswered ? 'attempts' : 'answered connections',
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
  };
}
