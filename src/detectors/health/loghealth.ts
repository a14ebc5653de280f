import { type Severity, severityRank } from '../../finding.js';
import { sqlNumber } from '../../store/dialect.js';
import { defineCoverage } from '../coverage.js';
import { defineDetector, type FeatureContext, param } from '../define.js';
import { count, round } from '../describe.js';
import { maxOf, minOf } from '../extremes.js';
import { duration } from '../timeWindows.js';

/**
 * One interface with something to say about its logs. Windows are `window`-second buckets of record
 * start times, numbered per account and region; the capture's windows are those in which any interface
 * of the account and region wrote any record (flow, NODATA or SKIPDATA).
 */
interface Row {
  iface: string;
  flow_records: number;
  /** records without addresses, packets or status: NODATA/SKIPDATA of a format without log-status */
  empty_records: number;
  nodata_windows: number;
  skip_windows: number;
  skip_seconds: number;
  skip_from: number | null;
  skip_to: number | null;
  first_seen: number;
  last_seen: number;
  /** capture windows with a record of this interface, and capture windows from its first to its last */
  active_windows: number;
  life_windows: number;
  /** per silence of at least minSilence of capture: the window before it, the window after it (for a
   * trailing silence, one past the capture's last), the capture windows within it, 1 when trailing */
  silence_after: number[] | null;
  silence_until: number[] | null;
  silence_captured: number[] | null;
  silence_trailing: number[] | null;
  /** over the whole store: log-status facts, and status-less empty records */
  health_records: number;
  empty_total: number;
}

interface Part {
  severity: Severity;
  confidence: number;
  from: number;
  to: number;
  windows: number;
  text: string;
}

/** A NODATA/SKIPDATA line of a format without log-status: no addresses, no packets, no status. */
const STATUSLESS = 'src_addr IS NULL AND dst_addr IS NULL AND packets IS NULL';

/**
 * What the logs let the card see (see coverage.ts, a proposed contract addition): nothing without
 * interface ids; no lost records (SKIPDATA) in files without log-status.
 */
export const coverage = defineCoverage({
  feature: () => `
    SELECT (SELECT count(*) FROM log_health) AS health_records,
      (SELECT count(*) FROM flows WHERE ${STATUSLESS}) AS empty_records,
      (SELECT count(interface_id) FROM flows) + (SELECT count(interface_id) FROM log_health) AS with_interface`,
  judge: (row: { health_records: number; empty_records: number; with_interface: number }) => {
    if (row.with_interface === 0)
      return { skipped: 'the logs have no interface-id, so coverage cannot be placed on interfaces' };
    if (row.empty_records > 0)
      return {
        note: `${count(row.empty_records)} records have no log-status (NODATA and SKIPDATA read as empty records): lost records cannot be seen in those files, silences still can`,
      };
    return undefined;
  },
});

export default defineDetector({
  coverage,
  id: 'loghealth',
  title: 'Flow log coverage problem',
  description:
    'Data quality is a finding too: AWS lost flow records on an interface (SKIPDATA), a steadily logging interface fell silent while the rest of the capture went on (logging interrupted or deleted, or the instance stopped), or an interface wrote only NODATA (logged but idle). Idle interfaces write no records at all, so only a silence of an interface that logged in nearly every window counts. Needs the log-status field to see SKIPDATA and NODATA; without it, silences are still found and the finding says what cannot be seen.',
  status: 'experimental',
  attack: ['T1562.008'],
  severity: 'low',
  asffType: 'Software and Configuration Checks/AWS Security Best Practices/Flow Log Coverage',
  requires: ['interface_id', 'start_time'],
  uses: [],
  reads: {
    connections: [],
    flows: [
      'account_id',
      'region',
      'interface_id',
      'src_addr',
      'dst_addr',
      'packets',
      'start_time',
      'end_time',
    ],
  },
  falsePositives: [
    'an instance stopped, or an autoscaling instance terminated, while the others logged on (silence, rated info when it lasts to the end of the capture)',
    'a busy interface with a real lull in traffic longer than minSilence (a batch host between runs)',
    'logs ingested for some interfaces only for part of the span (e.g. one S3 prefix downloaded for fewer days)',
  ],
  references: [
    'AWS VPC Flow Logs: flow log records, log-status (OK, NODATA, SKIPDATA)',
    'MITRE ATT&CK T1562.008 Impair Defenses: Disable or Modify Cloud Logs (e.g. ec2:DeleteFlowLogs, confirm in CloudTrail)',
  ],
  params: {
    window: param(
      600,
      'seconds',
      'the longest AWS aggregation interval: a steadily used interface writes at least one record in every window of this length',
    ),
    minSilence: param(
      3600,
      'seconds',
      'capture time (windows in which other interfaces logged) an interface must miss: six windows, longer than the ordinary lulls of a busy host',
    ),
    minSteadyShare: param(
      0.9,
      'ratio 0-1',
      "share of the capture's windows from the interface's first record to its last (the silence judged left out) in which it logged something: only a steady interface's silence is news, an idle one is silent by nature",
    ),
    minSteadyWindows: param(
      6,
      'windows',
      'windows the interface logged in at all before its rhythm means anything: an hour at the 10-minute interval',
    ),
    manySkipWindows: param(
      6,
      'windows',
      'SKIPDATA in this many windows (an hour of records at the 10-minute interval) is medium: enough lost traffic to hide an intrusion',
    ),
  },

  feature: (p, ctx) => logHealthSql(p, ctx),

  score: (row: Row, p) => {
    const parts: Part[] = [];
    if (row.skip_windows > 0) {
      const from = row.skip_from ?? row.first_seen;
      const to = row.skip_to ?? row.last_seen;
      parts.push({
        severity: row.skip_windows >= p.manySkipWindows ? 'medium' : 'low',
        confidence: 0.95,
        from,
        to,
        windows: row.skip_windows,
        text: `had flow records skipped by AWS (SKIPDATA) in ${count(row.skip_windows)} capture window(s) covering ${duration(row.skip_seconds)} between ${utc(from)} and ${utc(to)} (medium from ${p.manySkipWindows} windows)`,
      });
    }
    const silences = (row.silence_after ?? []).flatMap((after, i) => {
      const until = row.silence_until?.[i] ?? after;
      const captured = row.silence_captured?.[i] ?? 0;
      const trailing = row.silence_trailing?.[i] === 1;
      const steady = row.active_windows / Math.max(1, row.life_windows - (trailing ? 0 : captured));
      if (captured * p.window < p.minSilence) return [];
      if (steady < p.minSteadyShare || row.active_windows < p.minSteadyWindows) return [];
      return [{ from: (after + 1) * p.window, to: until * p.window, captured, trailing, steady }];
    });
    const thresholds = `thresholds: ${duration(p.minSilence)} of capture, ${Math.round(p.minSteadyShare * 100)}% of windows`;
    const interior = silences.filter((s) => !s.trailing);
    const longest = interior.reduce<(typeof interior)[number] | undefined>(
      (best, s) => (best === undefined || s.to - s.from > best.to - best.from ? s : best),
      undefined,
    );
    if (longest) {
      const times = interior.length > 1 ? `${interior.length} times, longest ` : '';
      parts.push({
        severity: 'low',
        confidence: 0.6,
        from: minOf(interior.map((s) => s.from)),
        to: maxOf(interior.map((s) => s.to)),
        windows: interior.reduce((n, s) => n + s.captured, 0),
        text: `fell silent ${times}for ${duration(longest.to - longest.from)} from ${utc(longest.from)} to ${utc(longest.to)} while other interfaces logged in ${count(longest.captured)} of those windows, after logging in ${Math.round(longest.steady * 100)}% of the capture's windows (${thresholds})`,
      });
    }
    const trailing = silences.find((s) => s.trailing);
    if (trailing) {
      parts.push({
        severity: 'info',
        confidence: 0.5,
        from: trailing.from,
        to: trailing.to,
        windows: trailing.captured,
        text: `stopped logging at ${utc(trailing.from)}, ${duration(trailing.to - trailing.from)} before the capture's end, while other interfaces logged in ${count(trailing.captured)} more windows, after logging in ${Math.round(trailing.steady * 100)}% of the capture's windows (${thresholds}): an instance stopped or terminated, or its flow log deleted`,
      });
    }
    const idle = row.nodata_windows + row.empty_records;
    if (row.flow_records === 0 && idle > 0 && row.last_seen - row.first_seen >= p.minSilence) {
      const what =
        row.empty_records > 0 && row.nodata_windows === 0
          ? 'only empty records (NODATA or SKIPDATA, the logs have no log-status to tell)'
          : 'only NODATA (no traffic)';
      parts.push({
        severity: 'info',
        confidence: 0.9,
        from: row.first_seen,
        to: row.last_seen,
        windows: idle,
        text: `wrote ${what} in ${count(idle)} window(s) over ${duration(row.last_seen - row.first_seen)} and not one flow record: a logged interface that is detached, stopped or unused`,
      });
    }
    if (parts.length === 0) return undefined;
    const worst = parts.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
    const logStatus = row.empty_total > 0 ? 'absent' : row.health_records > 0 ? 'present' : 'unknown';
    const silentFrom = longest?.from ?? trailing?.from;
    const caveat =
      logStatus === 'absent'
        ? ` (${count(row.empty_total)} records without log-status in the store: lost records (SKIPDATA) cannot be told from idle windows there)`
        : '';
    return {
      actor: row.iface,
      target: null,
      targetCount: 0,
      direction: 'internal',
      severity: worst.severity,
      confidence: worst.confidence,
      firstSeen: minOf(parts.map((x) => x.from)),
      lastSeen: maxOf(parts.map((x) => x.to)),
      count: parts.reduce((n, x) => n + x.windows, 0),
      explanation: `${row.iface} ${parts.map((x) => x.text).join('; ')}${caveat}.`,
      subScores: {
        lost: round(Math.min(1, row.skip_windows / p.manySkipWindows)),
        steadiness: round(Math.max(0, ...silences.map((s) => s.steady))),
      },
      metrics: {
        skipWindows: row.skip_windows,
        skipSeconds: row.skip_seconds,
        silences: interior.length,
        longestSilenceSeconds: longest ? longest.to - longest.from : 0,
        trailingSilenceSeconds: trailing ? trailing.to - trailing.from : 0,
        nodataWindows: row.nodata_windows,
        flowRecords: row.flow_records,
        emptyRecords: row.empty_records,
        logStatus,
      },
      // its own SKIPDATA/NODATA records, and before a silence its last flow records
      evidence: {
        interfaceLog: { interfaceId: row.iface, ...(silentFrom === undefined ? {} : { silentFrom }) },
      },
    };
  },
});

/** "2023-11-14 22:13 UTC" */
const utc = (seconds: number) =>
  `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

type Params = { window: number; minSilence: number };

/**
 * The feature query: every record (flow, NODATA, SKIPDATA) marks its interface's window as logged.
 * Silences are consecutive logged windows of an interface with capture windows between them, and the
 * stretch after its last one to the capture's end. Gaps in the whole capture are no interface's silence.
 */
function logHealthSql(p: Params, { dialect: d }: FeatureContext): string {
  const w = sqlNumber(p.window);
  const min = sqlNumber(p.minSilence);
  const key = (a: string, b: string) => `${b}.acct = ${a}.acct AND ${b}.reg = ${a}.reg`;
  return `
    WITH rec AS (
      SELECT coalesce(account_id, '') AS acct, coalesce(region, '') AS reg, interface_id AS iface, start_time,
        coalesce(end_time, start_time) AS end_time,
        CASE WHEN ${STATUSLESS} THEN 'EMPTY' ELSE 'FLOW' END AS status
      FROM flows WHERE interface_id IS NOT NULL AND start_time IS NOT NULL
      UNION ALL
      SELECT coalesce(account_id, ''), coalesce(region, ''), interface_id, start_time,
        coalesce(end_time, start_time), status
      FROM log_health WHERE interface_id IS NOT NULL AND start_time IS NOT NULL
    ),
    active AS (
      SELECT DISTINCT acct, reg, iface, floor(start_time / ${w}) AS b FROM rec
    ),
    capture AS (
      SELECT acct, reg, b, row_number() OVER (PARTITION BY acct, reg ORDER BY b) AS k
      FROM (SELECT DISTINCT acct, reg, b FROM active) AS windows
    ),
    numbered AS (
      SELECT a.acct, a.reg, a.iface, a.b, c.k,
        row_number() OVER (PARTITION BY a.acct, a.reg, a.iface ORDER BY a.b) AS rn
      FROM active a JOIN capture c ON ${key('a', 'c')} AND c.b = a.b
    ),
    life AS (
      SELECT acct, reg, iface, max(b) AS b1, min(k) AS k0, max(k) AS k1, count(*) AS active_windows
      FROM numbered GROUP BY acct, reg, iface
    ),
    capture_end AS (
      SELECT acct, reg, max(b) AS b_end, max(k) AS k_end FROM capture GROUP BY acct, reg
    ),
    silences AS (
      SELECT x.acct, x.reg, x.iface, x.b AS after_b, y.b AS until_b, y.k - x.k - 1 AS captured, 0 AS at_end
      FROM numbered x JOIN numbered y ON ${key('x', 'y')} AND y.iface = x.iface AND y.rn = x.rn + 1
      WHERE (y.k - x.k - 1) * ${w} >= ${min}
      UNION ALL
      SELECT l.acct, l.reg, l.iface, l.b1, e.b_end + 1, e.k_end - l.k1, 1
      FROM life l JOIN capture_end e ON ${key('l', 'e')}
      WHERE (e.k_end - l.k1) * ${w} >= ${min}
    ),
    gaps AS (
      SELECT acct, reg, iface,
        ${d.orderedList('after_b', 'after_b')} AS silence_after,
        ${d.orderedList('until_b', 'after_b')} AS silence_until,
        ${d.orderedList('captured', 'after_b')} AS silence_captured,
        ${d.orderedList('at_end', 'after_b')} AS silence_trailing, count(*) AS silences
      FROM silences GROUP BY acct, reg, iface
    ),
    kinds AS (
      SELECT acct, reg, iface,
        sum(CASE WHEN status = 'FLOW' THEN 1 ELSE 0 END) AS flow_records,
        sum(CASE WHEN status = 'EMPTY' THEN 1 ELSE 0 END) AS empty_records,
        sum(CASE WHEN status = 'NODATA' THEN 1 ELSE 0 END) AS nodata_windows,
        sum(CASE WHEN status = 'SKIPDATA' THEN 1 ELSE 0 END) AS skip_windows,
        sum(CASE WHEN status = 'SKIPDATA' THEN end_time - start_time ELSE 0 END) AS skip_seconds,
        min(CASE WHEN status = 'SKIPDATA' THEN start_time END) AS skip_from,
        max(CASE WHEN status = 'SKIPDATA' THEN end_time END) AS skip_to,
        min(start_time) AS first_seen, max(end_time) AS last_seen
      FROM rec GROUP BY acct, reg, iface
    )
    SELECT k.iface, k.flow_records, k.empty_records, k.nodata_windows, k.skip_windows, k.skip_seconds,
      k.skip_from, k.skip_to, k.first_seen, k.last_seen, l.active_windows, l.k1 - l.k0 + 1 AS life_windows,
      g.silence_after, g.silence_until, g.silence_captured, g.silence_trailing,
      (SELECT count(*) FROM log_health) AS health_records,
      (SELECT count(*) FROM rec WHERE status = 'EMPTY') AS empty_total
    FROM kinds k
    JOIN life l ON ${key('k', 'l')} AND l.iface = k.iface
    LEFT JOIN gaps g ON ${key('k', 'g')} AND g.iface = k.iface
    WHERE k.skip_windows > 0 OR coalesce(g.silences, 0) > 0 OR k.flow_records = 0
    ORDER BY k.iface, k.acct, k.reg`;
}
