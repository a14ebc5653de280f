import type { Severity } from '../../finding.js';
import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineCoverage } from '../coverage.js';
import { defineDetector, type FeatureContext, param } from '../define.js';
import { count, portList, protocolName, round } from '../describe.js';
import { maxOf, minOf } from '../extremes.js';
import { multicastSql } from '../outbound.js';
import { duration } from '../timeWindows.js';

/**
 * One internal host with at least one remote port it first used in the recent period. The lists hold
 * one entry per (protocol, port), in port order.
 */
interface Row {
  host: string;
  /** start of the recent period: the store's last connection end minus `recent` */
  recent_start: number;
  /** the host's first connection (either end) before the recent period; null when it has none */
  since: number | null;
  /** UTC days before the recent period on which the host had a connection */
  active_days: number;
  /** distinct (protocol, port) the host used outbound before the recent period; null for none */
  baseline_ports: number[] | null;
  baseline_protocols: number[] | null;
  ports: number[];
  protocols: number[];
  connections: number[];
  answered: number[];
  /** distinct remote hosts on the port, and how many of them none of our hosts contacted before */
  servers: number[];
  new_servers: number[];
  /** the remote host, when `servers` is 1 (else the smallest address) */
  first_server: string[];
  /** our hosts whose first use of the port falls in the recent period (this one included) */
  fleet_new_hosts: number[];
  /** our hosts that used the port before the recent period */
  fleet_baseline_hosts: number[];
  first_seen: number[];
  last_seen: number[];
}

const DAY = 86_400;

/**
 * Whether the store holds a baseline at all (see coverage.ts, a proposed contract addition): without
 * one the card is silent, and the user should hear that it did not run rather than that all is well.
 */
export const coverage = defineCoverage({
  feature: (p: CoverageParams) => `
    WITH bounds AS (
      SELECT min(first_seen) AS t0, max(last_seen) - ${sqlNumber(p.recent)} AS recent_start FROM fh_connections
    ),
    seen AS (
      SELECT client AS host, first_seen FROM fh_connections WHERE client_internal = 1
      UNION ALL SELECT server, first_seen FROM fh_connections WHERE server_internal = 1
    ),
    hosts AS (
      SELECT s.host, min(s.first_seen) AS since, max(s.first_seen) AS latest,
        count(DISTINCT CASE WHEN s.first_seen < b.recent_start THEN floor(s.first_seen / ${DAY}) END) AS active_days
      FROM seen s CROSS JOIN bounds b GROUP BY s.host
    )
    SELECT (b.recent_start - b.t0) / ${DAY} AS history_days,
      sum(CASE WHEN h.latest >= b.recent_start THEN 1 ELSE 0 END) AS recent_hosts,
      sum(CASE WHEN h.latest >= b.recent_start AND h.since <= b.recent_start - ${sqlNumber(p.minBaselineDays * DAY)}
        AND h.active_days >= ${sqlNumber(p.minActiveDays)} THEN 1 ELSE 0 END) AS baselined
    FROM hosts h CROSS JOIN bounds b GROUP BY b.recent_start, b.t0`,
  judge: (
    row: { history_days: number | null; recent_hosts: number; baselined: number },
    p: CoverageParams,
  ) => {
    if (row.history_days === null || row.recent_hosts === 0) return undefined;
    if (row.history_days < p.minBaselineDays)
      return {
        skipped: `the store holds ${Math.max(0, row.history_days).toFixed(1)} days of flows before the last ${duration(p.recent)} and a baseline needs ${p.minBaselineDays}: keep a workspace (--workspace FILE) and scan it daily`,
      };
    if (row.baselined < row.recent_hosts)
      return {
        note: `${count(row.baselined)} of ${count(row.recent_hosts)} hosts active in the last ${duration(p.recent)} have a baseline (${p.minBaselineDays} days, ${p.minActiveDays} of them active); the others were not judged`,
      };
    return undefined;
  },
});

export default defineDetector({
  coverage,
  id: 'unusualport',
  title: 'Outbound connection on a remote port new to the host',
  description:
    'One of our hosts connects to an internet host on a remote port it never used before, judged only when the store holds enough history for that host (GuardDuty Behavior:EC2/NetworkPortUnusual): the last `recent` hours are compared with everything before them. Well-known ports and a port the whole fleet takes up at once (a deployment) are left out; a port no host of ours ever used, to a destination none ever contacted, is medium.',
  status: 'experimental',
  attack: ['T1571'],
  severity: 'low',
  asffType: 'Unusual Behaviors/Network Flow/Unusual Port',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without:
        'which end is the remote port is told from port ranges and timing: connections between two ports of the same range are left out',
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
      'orientation',
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'a new application, agent or SaaS integration on one host (allowlist the host, or the port with its reason)',
    'passive FTP, SIP/RTP and peer-to-peer software, whose data channels use a fresh high port each time',
    'a host behind a NAT gateway when the logs lack pkt-srcaddr: the gateway is the host, and its history is the whole subnet',
    'a compromise of three or more hosts at once that takes up one new port is treated as a fleet-wide change and not reported here (beacon and threatintel still see it)',
  ],
  references: [
    'Amazon GuardDuty Behavior:EC2/NetworkPortUnusual; NetworkAnomaly.profileAgeDays (the days of history behind a baseline)',
    'MITRE ATT&CK T1571 Non-Standard Port',
  ],
  params: {
    recent: param(
      DAY,
      'seconds',
      'the period judged, ending at the last connection in the store: a daily scan into a workspace judges each day once against all the days before it',
    ),
    minBaselineDays: param(
      7,
      'days',
      'history a host needs before the recent period: a week covers weekly jobs (backups, reports, patch days) that would otherwise look new',
    ),
    minActiveDays: param(
      5,
      'days',
      'distinct UTC days with connections of the host within that history: a week-old host seen on one day has no baseline; five lets a host idle at weekends qualify',
    ),
    commonPorts: param(
      [53, 80, 123, 443],
      'port list',
      'DNS, HTTP, NTP and HTTPS: every host takes them up sooner or later, and a first use of them says nothing',
    ),
    fleetHosts: param(
      3,
      'internal hosts',
      'this many of our hosts taking up the same new port within the recent period is a deployment or a new service (an autoscaling group spans three zones), not one host gone astray',
    ),
    protocols: param([6, 17], 'protocol numbers', 'TCP and UDP: the protocols with ports'),
  },

  feature: (p, ctx) => unusualPortSql(p, ctx),

  score: (row: Row, p) => {
    // no history: NULL from the LEFT JOIN (0 active days where an engine fills defaults instead)
    if (row.since === null || row.active_days === 0) return undefined;
    const historyDays = (row.recent_start - row.since) / DAY;
    if (historyDays < p.minBaselineDays || row.active_days < p.minActiveDays) return undefined;
    const kept = newPorts(row).filter((port) => port.fleetNew < p.fleetHosts);
    const [first] = kept;
    if (!first) return undefined;
    const sum = (pick: (port: NewPort) => number) => kept.reduce((n, port) => n + pick(port), 0);
    const single = kept.every((port) => port.servers === 1 && port.firstServer === first.firstServer);
    const target = single ? first.firstServer : null;
    const targetCount = single ? 1 : sum((port) => port.servers);
    const connections = sum((port) => port.connections);
    const answered = sum((port) => port.answered);
    const lead = kept.find((port) => port.severity === 'medium') ?? first;
    const before = (row.baseline_ports ?? []).map((port, i) => label(port, row.baseline_protocols?.[i] ?? 6));
    const those =
      lead.servers === 1
        ? 'that host'
        : lead.newServers === lead.servers
          ? 'any of those hosts'
          : `${count(lead.newServers)} of those hosts`;
    const why =
      lead.severity === 'medium'
        ? `no host of ours had used ${lead.label} before, nor contacted ${those}`
        : lead.fleetBefore > 0
          ? `${count(lead.fleetBefore)} other host(s) of ours used ${lead.label} before`
          : `no host of ours had used ${lead.label} before, but they had contacted the destination`;
    const plural = kept.length > 1;
    return {
      actor: row.host,
      target,
      targetCount,
      direction: 'outbound',
      severity: lead.severity,
      confidence: answered > 0 ? 0.8 : 0.6,
      firstSeen: minOf(kept.map((port) => port.firstSeen)),
      lastSeen: maxOf(kept.map((port) => port.lastSeen)),
      count: connections,
      explanation: `${row.host} connected to ${target ?? `${count(targetCount)} internet hosts`} on remote port${plural ? 's' : ''} ${portList(kept.map((port) => port.label))} (${count(connections)} connections, ${count(answered)} answered) within the last ${duration(p.recent)}, ${plural ? 'ports' : 'a port'} it had not used in ${historyDays.toFixed(1)} days of history (${count(row.active_days)} active days; thresholds ${p.minBaselineDays} days, ${p.minActiveDays} active; ports used before: ${before.length > 0 ? portList(before) : 'none'}); ${why}.`,
      subScores: {
        fleetNovelty: round(maxOf(kept.map((port) => 1 / (1 + port.fleetBefore)))),
        destinationNovelty: round(
          sum((port) => port.newServers) /
            Math.max(
              1,
              sum((port) => port.servers),
            ),
        ),
      },
      metrics: {
        newPorts: kept.map((port) => port.label).join(' '),
        connections,
        answered,
        historyDays: round(historyDays, 1),
        activeDays: row.active_days,
        baselinePorts: before.length,
        fleetHostsBefore: maxOf(kept.map((port) => port.fleetBefore)),
      },
      evidence: {
        client: row.host,
        ...(target ? { server: target } : {}),
        serverPorts: kept.map((port) => port.port),
        ...(kept.every((port) => port.protocol === first.protocol) ? { protocol: first.protocol } : {}),
      },
    };
  },
});

const label = (port: number, protocol: number) => `${port}/${protocolName(protocol)}`;

/** One new remote port of a row, with its severity: medium when no host of ours used it and the destination is new. Internal. */
interface NewPort {
  port: number;
  protocol: number;
  label: string;
  connections: number;
  answered: number;
  servers: number;
  newServers: number;
  firstServer: string;
  fleetNew: number;
  fleetBefore: number;
  severity: Severity;
  firstSeen: number;
  lastSeen: number;
}

function newPorts(row: Row): NewPort[] {
  return row.ports.map((port, i) => {
    const protocol = row.protocols[i] ?? 6;
    const newServers = row.new_servers[i] ?? 0;
    const fleetBefore = row.fleet_baseline_hosts[i] ?? 0;
    return {
      port,
      protocol,
      label: label(port, protocol),
      connections: row.connections[i] ?? 0,
      answered: row.answered[i] ?? 0,
      servers: row.servers[i] ?? 0,
      newServers,
      firstServer: row.first_server[i] ?? '',
      fleetNew: row.fleet_new_hosts[i] ?? 1,
      fleetBefore,
      severity: fleetBefore === 0 && newServers > 0 ? 'medium' : 'low',
      firstSeen: row.first_seen[i] ?? row.recent_start,
      lastSeen: row.last_seen[i] ?? row.recent_start,
    };
  });
}

type Params = {
  recent: number;
  commonPorts: readonly number[];
  protocols: readonly number[];
};

type CoverageParams = { recent: number; minBaselineDays: number; minActiveDays: number };

/**
 * The feature query. A connection's remote port is its server port; connections whose ends were told
 * apart only by timing (two ports of one range, no flags) are left out, as their "server port" may be
 * the remote's ephemeral port, and so are multicast and broadcast announcements (mDNS, SSDP). A (host,
 * protocol, port) is new when its first connection starts within the recent period.
 */
function unusualPortSql(p: Params, { dialect: d }: FeatureContext): string {
  const order = 'n.port * 256 + n.protocol';
  return `
    WITH bounds AS (
      SELECT max(last_seen) - ${sqlNumber(p.recent)} AS recent_start FROM fh_connections
    ),
    outbound AS (
      SELECT client AS host, server, protocol, server_port AS port, first_seen, last_seen, failed
      FROM fh_connections
      WHERE client_internal = 1 AND server_internal = 0 AND protocol IN (${sqlIntList(p.protocols)})
        AND orientation <> 'order' AND NOT ${multicastSql('server')}
    ),
    first_use AS (
      SELECT host, protocol, port, min(first_seen) AS first_seen FROM outbound GROUP BY host, protocol, port
    ),
    fleet AS (
      SELECT f.protocol, f.port,
        sum(CASE WHEN f.first_seen >= b.recent_start THEN 1 ELSE 0 END) AS new_hosts,
        sum(CASE WHEN f.first_seen < b.recent_start THEN 1 ELSE 0 END) AS baseline_hosts
      FROM first_use f CROSS JOIN bounds b GROUP BY f.protocol, f.port
    ),
    known_servers AS (
      SELECT DISTINCT c.server FROM fh_connections c CROSS JOIN bounds b
      WHERE c.client_internal = 1 AND c.first_seen < b.recent_start
    ),
    new_use AS (
      SELECT o.host AS host, o.protocol AS protocol, o.port AS port, count(*) AS connections, sum(1 - o.failed) AS answered,
        count(DISTINCT o.server) AS servers,
        count(DISTINCT CASE WHEN k.server IS NULL THEN o.server END) AS new_servers,
        min(o.server) AS first_server, min(o.first_seen) AS first_seen, max(o.last_seen) AS last_seen
      FROM outbound o
      JOIN first_use f ON f.host = o.host AND f.protocol = o.protocol AND f.port = o.port
      CROSS JOIN bounds b
      LEFT JOIN known_servers k ON k.server = o.server
      WHERE f.first_seen >= b.recent_start AND o.port NOT IN (${sqlIntList(p.commonPorts)})
      GROUP BY o.host, o.protocol, o.port
    ),
    history AS (
      SELECT seen.host, min(seen.first_seen) AS since,
        count(DISTINCT floor(seen.first_seen / ${DAY})) AS active_days
      FROM (
        SELECT client AS host, first_seen FROM fh_connections WHERE client_internal = 1
        UNION ALL SELECT server, first_seen FROM fh_connections WHERE server_internal = 1
      ) AS seen CROSS JOIN bounds b
      WHERE seen.first_seen < b.recent_start AND seen.host IN (SELECT host FROM new_use)
      GROUP BY seen.host
    ),
    baseline AS (
      SELECT f.host, ${d.orderedList('f.port', 'f.port * 256 + f.protocol')} AS baseline_ports,
        ${d.orderedList('f.protocol', 'f.port * 256 + f.protocol')} AS baseline_protocols
      FROM first_use f CROSS JOIN bounds b
      WHERE f.first_seen < b.recent_start AND f.host IN (SELECT host FROM new_use)
      GROUP BY f.host
    ),
    per_host AS (
      SELECT n.host,
        ${d.orderedList('n.port', order)} AS ports, ${d.orderedList('n.protocol', order)} AS protocols,
        ${d.orderedList('n.connections', order)} AS connections, ${d.orderedList('n.answered', order)} AS answered,
        ${d.orderedList('n.servers', order)} AS servers, ${d.orderedList('n.new_servers', order)} AS new_servers,
        ${d.orderedList('n.first_server', order)} AS first_server,
        ${d.orderedList('fl.new_hosts', order)} AS fleet_new_hosts,
        ${d.orderedList('fl.baseline_hosts', order)} AS fleet_baseline_hosts,
        ${d.orderedList('n.first_seen', order)} AS first_seen, ${d.orderedList('n.last_seen', order)} AS last_seen
      FROM new_use n JOIN fleet fl ON fl.protocol = n.protocol AND fl.port = n.port
      GROUP BY n.host
    )
    SELECT ph.*, b.recent_start, h.since, coalesce(h.active_days, 0) AS active_days,
      bl.baseline_ports, bl.baseline_protocols
    FROM per_host ph CROSS JOIN bounds b
    LEFT JOIN history h ON h.host = ph.host
    LEFT JOIN baseline bl ON bl.host = ph.host`;
}
