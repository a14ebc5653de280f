import type { Severity } from '../../finding.js';
import { sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, round } from '../describe.js';
import { duration } from '../timeWindows.js';
import { byteSize, windowedTrafficSql } from '../windowedTraffic.js';

/** One internal host → one internet host in one window, with the host's own history. */
interface Row {
  client: string;
  server: string;
  bytes: number;
  byte_rate: number;
  reply_bytes: number;
  aws_byte_rate: number;
  connections: number;
  t0: number;
  t1: number;
  /** distinct UTC days before this window's day on which the host appears in the flows */
  history_days: number;
  /**
   * the host's largest outbound volume to the internet in one window on those days (null: no earlier
   * day). From fh_connections by start window, so a long connection counts whole in its first window:
   * the baseline errs high, and the relative test errs towards silence.
   */
  busiest_before: number | null;
  /** distinct UTC days with a candidate window for this pair, and the pair's average over them */
  pair_days: number;
  pair_average_rate: number;
}

const DAY = 86_400;

/**
 * pkt-dst-aws-service values that name an address range rather than a managed service: any EC2
 * instance, an attacker's own included, carries them. Transfers there are judged like any other.
 */
const ADDRESS_RANGE_SERVICES = ['AMAZON', 'EC2'];

export default defineDetector({
  id: 'exfil',
  title: 'Large outbound transfer (possible exfiltration)',
  description:
    'An internal host sending a large volume to one internet host within an hour, on connections it opened: more than an absolute threshold, or many times more than the host ever sent in an hour on its earlier days. A host has history when the workspace holds it (at either end of any connection) on at least minHistoryDays UTC days before the transfer; its baseline is its busiest hour to the internet on those days, and the explanation says which case applied. The same transfer repeated on routineDays days is a schedule and rated low (so is exfiltration repeated for days: it is still listed). Transfers to AWS services (S3, DynamoDB …: by pkt-dst-aws-service, a gateway endpoint, or the address ranges AWS publishes) are not counted by default. Count: connections.',
  status: 'stable',
  attack: ['T1048', 'T1041', 'T1567'],
  severity: 'medium',
  asffType: 'Effects/Data Exfiltration/Large Upload',
  requires: ['src_addr', 'dst_addr', 'protocol', 'bytes', 'start_time'],
  // pkt-dst-aws-service and traffic-path are not needed: AWS's published ranges (fh_address_facts)
  // name the service of every S3 or DynamoDB address, gateway-endpoint traffic included
  uses: [],
  reads: {
    connections: [
      'client',
      'client_port',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'out_bytes',
      'client_internal',
      'server_internal',
      'server_aws_service',
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
      'traffic_path',
      'pkt_dst_aws_service',
    ],
  },
  falsePositives: [
    'backups and replication to storage outside AWS, or to AWS ranges newer than the bundled snapshot (run `flowhawk update-data`, or allowlist the destination)',
    'log and metrics shipping to a SaaS (Datadog, Splunk Cloud …) and artefact pushes from CI (container registries)',
    'a host’s first days in the workspace: with fewer than minHistoryDays earlier days, only the absolute threshold applies',
  ],
  references: [
    'MITRE ATT&CK T1048 Exfiltration Over Alternative Protocol, T1041 Over C2 Channel, T1567 Over Web Service',
    'Stratosphere Slips data upload alert (data_exfiltration_threshold 500 MB)',
    'Amazon GuardDuty Behavior:EC2/TrafficVolumeUnusual',
    'AWS VPC Flow Logs: pkt-dst-aws-service, traffic-path 7 (gateway VPC endpoint); AWS ip-ranges.json',
  ],
  params: {
    window: param(
      3600,
      'seconds',
      'volumes are summed per window of this length: an hour holds a bulk upload at any realistic speed, and a record spreads its bytes over its own span, so a day-long connection is not counted whole in its first hour',
    ),
    minBytes: param(
      500_000_000,
      'bytes per window',
      'absolute threshold per destination: Stratosphere Slips alerts on 500 MB uploaded; a host’s ordinary internet uploads (API calls, telemetry) are megabytes an hour',
    ),
    relativeFactor: param(
      3,
      'times',
      'over the host’s busiest hour on its earlier days: day-to-day load varies by up to about twice, so three times the most it ever sent is a change in kind, not in load',
    ),
    relativeMinBytes: param(
      100_000_000,
      'bytes per window',
      'the relative test needs at least this much: below it, a quiet host’s jump (a few megabytes more than its usual kilobytes) is too small to matter',
    ),
    routineDays: param(
      3,
      'days',
      'a pair seen moving this much on at least this many UTC days, each time within relativeFactor of its average, is a schedule (a nightly backup, replication) and rated low: an attacker’s exfiltration is usually over within a day or two',
    ),
    minHistoryDays: param(
      3,
      'days',
      'earlier UTC days on which the workspace holds the host: with three, a daily routine (a nightly job) has repeated and its volume is part of the baseline; with fewer, the host is not compared with itself',
    ),
    excludeAwsServices: param(
      1,
      '0 or 1',
      '1: bytes to AWS managed services (pkt-dst-aws-service set, other than the AMAZON and EC2 address ranges) and through gateway endpoints (traffic-path 7) are not counted, since backups to S3 are routine; 0 counts them, for accounts where any upload to an unknown bucket matters',
    ),
  },

  feature: (p, { dialect: d }) => {
    const window = sqlNumber(p.window);
    const rangeOnly = ADDRESS_RANGE_SERVICES.map((s) => `'${s}'`).join(', ');
    const exclude = p.excludeAwsServices >= 1;
    const counted = `byte_rate - ${exclude ? 'aws_byte_rate' : '0'}`;
    const candidateBytes = Math.min(p.minBytes, p.relativeMinBytes);
    const awsConnection = `server_aws_service IS NOT NULL AND server_aws_service NOT IN (${rangeOnly})`;
    return `${windowedTrafficSql(d, {
      window: p.window,
      connections: 'client_internal = 1 AND server_internal = 0',
      keys: ['client', 'server'],
      busy: { by: 'pair', minBytes: candidateBytes },
      extra: {
        aws_byte_rate: `sum(CASE WHEN gateway_endpoint = 1 OR (aws_service IS NOT NULL AND aws_service NOT IN (${rangeOnly})) THEN byte_rate ELSE 0 END)`,
      },
    })},
    candidates AS (
      SELECT * FROM traffic
      WHERE (${counted}) * ${window} >= ${sqlNumber(candidateBytes)}
    ),
    pairs AS (
      SELECT client, server, count(DISTINCT floor(win * ${window} / ${DAY})) AS pair_days,
        avg(${counted}) AS pair_average_rate
      FROM candidates GROUP BY client, server
    ),
    host_windows AS (
      SELECT client AS host, floor(first_seen / ${window}) AS win, sum(out_bytes) AS bytes
      FROM fh_connections
      WHERE client_internal = 1 AND server_internal = 0 AND client IN (SELECT client FROM candidates)
        ${exclude ? `AND NOT (${awsConnection})` : ''}
      GROUP BY client, floor(first_seen / ${window})
    ),
    host_days AS (
      SELECT host, day, max(bytes) AS busiest FROM (
        SELECT client AS host, floor(first_seen / ${DAY}) AS day, 0 AS bytes FROM fh_connections
        UNION ALL SELECT server AS host, floor(first_seen / ${DAY}) AS day, 0 AS bytes FROM fh_connections
        UNION ALL SELECT host, floor(win * ${window} / ${DAY}) AS day, bytes FROM host_windows
      ) AS seen
      WHERE host IN (SELECT client FROM candidates)
      GROUP BY host, day
    ),
    history AS (
      SELECT c.client, c.server, c.win,
        sum(CASE WHEN h.day < floor(c.win * ${window} / ${DAY}) THEN 1 ELSE 0 END) AS history_days,
        max(CASE WHEN h.day < floor(c.win * ${window} / ${DAY}) THEN h.busiest END) AS busiest_before
      FROM candidates c JOIN host_days h ON h.host = c.client
      GROUP BY c.client, c.server, c.win
    )
    SELECT c.client, c.server, c.bytes, c.byte_rate, c.reply_bytes,
      ${exclude ? 'c.aws_byte_rate' : '0'} AS aws_byte_rate, c.connections, c.t0, c.t1,
      h.history_days, h.busiest_before, pr.pair_days, pr.pair_average_rate
    FROM candidates c
    JOIN pairs pr ON pr.client = c.client AND pr.server = c.server
    JOIN history h ON h.client = c.client AND h.server = c.server AND h.win = c.win`;
  },

  score: (row: Row, p) => {
    const sent = (row.byte_rate - row.aws_byte_rate) * p.window;
    const absolute = sent >= p.minBytes;
    const history = row.history_days >= p.minHistoryDays;
    const busiest = row.busiest_before ?? 0;
    const factor = busiest > 0 ? sent / busiest : Number.POSITIVE_INFINITY;
    const relative = history && sent >= p.relativeMinBytes && factor >= p.relativeFactor;
    if (!absolute && !relative) return undefined;
    const average = row.pair_average_rate * p.window;
    const routine = row.pair_days >= p.routineDays && sent <= average * p.relativeFactor;
    const severity: Severity = routine
      ? 'low'
      : !history
        ? 'medium'
        : relative
          ? absolute
            ? 'high'
            : 'medium'
          : 'low';
    const hour = windowName(p.window);
    const days = `${count(row.history_days)} earlier ${row.history_days === 1 ? 'day' : 'days'}`;
    const compared = routine
      ? `it moves about this much (${byteSize(average)} on average) to ${row.server} on ${count(row.pair_days)} days the workspace holds (threshold ${p.routineDays}): a scheduled transfer, rated low`
      : !history
        ? `the workspace holds ${row.client} on ${days} (needs ${p.minHistoryDays} to compare it with its own history), so only the absolute threshold applies`
        : busiest === 0
          ? `on the ${days} the workspace holds, ${row.client} sent nothing to the internet (threshold ${p.relativeFactor}× its busiest ${hour} and at least ${byteSize(p.relativeMinBytes)})`
          : relative
            ? `${round(factor, 1)}× its busiest ${hour} on the ${days} the workspace holds, ${byteSize(busiest)} (threshold ${p.relativeFactor}× and at least ${byteSize(p.relativeMinBytes)})`
            : `but it sent up to ${byteSize(busiest)} in ${windowName(p.window, true)} on the ${days} the workspace holds (${round(factor, 1)}×, threshold ${p.relativeFactor}×): usual for this host, rated low`;
    const threshold = absolute ? ` (threshold ${byteSize(p.minBytes)} per destination per ${hour})` : '';
    const aws =
      row.aws_byte_rate > 0 ? ` ${byteSize(row.aws_byte_rate * p.window)} to AWS services was left out.` : '';
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: 'outbound',
      severity,
      confidence: routine ? 0.5 : history ? 0.8 : 0.6,
      firstSeen: row.t0,
      lastSeen: row.t1,
      count: row.connections,
      explanation: `${row.client} sent ${byteSize(sent)} to ${row.server} within ${windowName(p.window, true)} on connections it opened, receiving ${byteSize(row.reply_bytes)}${threshold}; ${compared}.${aws}`,
      subScores: {
        volume: round(Math.min(1, sent / (p.minBytes * 10))),
        novelty: history && !routine ? round(Math.min(1, factor / (p.relativeFactor * 3))) : 0,
      },
      metrics: {
        bytes: round(sent, 0),
        receivedBytes: row.reply_bytes,
        connections: row.connections,
        historyDays: row.history_days,
        busiestBefore: busiest,
        ...(Number.isFinite(factor) ? { factor: round(factor, 2) } : {}),
        pairDays: row.pair_days,
        ...(row.aws_byte_rate > 0 ? { awsServiceBytes: round(row.aws_byte_rate * p.window, 0) } : {}),
      },
      evidence: { client: row.client, server: row.server },
    };
  },
});

// ——— internal helpers ———

/** "hour" / "an hour" for the default window, else "60-minute window". */
function windowName(window: number, article = false): string {
  if (window === 3600) return article ? 'an hour' : 'hour';
  return `${article ? 'a ' : ''}${duration(window)} window`;
}
