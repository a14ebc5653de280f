import type { FlowhawkConfig } from '../config/config.js';
import type { Detection, Detector } from '../detectors/define.js';
import { sha256Hex } from '../digest.js';
import { type Finding, severityRank } from '../finding.js';
import type { FlowColumnName } from '../flow.js';
import { cidrRange } from '../net/addresses.js';
import type { Analysis, DetectorRun } from '../report.js';
import type { Dialect } from '../store/dialect.js';
import type { AnalysisStore } from '../store/store.js';
import { loadThreatLists } from '../threatintel/threatLists.js';
import { createThreatTables } from '../threatintel/threatTable.js';
import { Allowlist } from './allowlist.js';
import { createAwsRangesTable } from './awsRangesTable.js';
import {
  CONNECTION_INPUTS_SQL,
  type ConnectionInputs,
  connectionsSql,
  DIRECTION_SQL,
  middleboxesSql,
} from './connections.js';
import { enrichFinding, sharedOwnerLookup } from './enrichFindings.js';
import { fetchEvidence } from './evidence.js';
import { DEFAULT_INTERNAL_NETWORKS, networkTablesSql } from './networks.js';
import { trafficLeaders } from './overview.js';
import { rollUp } from './rollUp.js';
import { describeSources, fetchSources } from './sources.js';

/** Each optional field a detector uses but the logs lack multiplies its confidence by this. */
export const MISSING_FIELD_CONFIDENCE = 0.8;

/**
 * Runs the enabled detectors over the flows in the store: connections first, then each detector's
 * feature query and scoring, then the allowlist and the evidence records. Reads only the store, and
 * the configured threat lists, into fh_threat_entries and fh_threat_matches (see threatintel/).
 */
export async function analyse(
  store: AnalysisStore,
  config: FlowhawkConfig,
  catalogue: readonly Detector[],
  dialect: Dialect = store.dialect,
): Promise<Analysis> {
  const started = performance.now();
  await store.prepareForAnalysis();
  const threats = await loadThreatLists(config.threatLists);
  const ranges = [...DEFAULT_INTERNAL_NETWORKS, ...config.internalNetworks].map((cidr, i) =>
    cidrRange(
      cidr,
      i < DEFAULT_INTERNAL_NETWORKS.length
        ? 'default networks'
        : `internalNetworks[${i - DEFAULT_INTERNAL_NETWORKS.length}]`,
    ),
  );
  const owners = await sharedOwnerLookup();
  await createAwsRangesTable(store, owners.aws);
  for (const sql of networkTablesSql(dialect, ranges)) await store.run(sql);
  await createThreatTables(store, threats.entries);
  await store.run(middleboxesSql(dialect));
  for (const sql of connectionsSql(dialect, await connectionInputs(store))) await store.run(sql);
  const [counted] = await store.query<{ n: bigint }>('SELECT count(*) AS n FROM fh_connections');
  const present = await fieldsPresent(store, catalogue);
  const stages = { connections: since(started), detectors: 0, evidence: 0, leaders: 0 };
  const detecting = performance.now();
  const allowlist = new Allowlist(config.allowlist);

  const runs: DetectorRun[] = [];
  const found: Omit<Finding, 'evidence'>[] = [];
  const keys: Detection['evidence'][] = [];
  for (const detector of catalogue) {
    const t0 = performance.now();
    const settings = config.detectors[detector.id];
    const run: DetectorRun = { id: detector.id, candidates: 0, findings: 0, suppressed: 0, elapsedMs: 0 };
    runs.push(run);
    const missingRequired = detector.requires.filter((field) => !present.has(field));
    if (!settings?.enabled) {
      run.skipped = 'disabled in the config';
      continue;
    }
    if (missingRequired.length > 0) {
      run.skipped = `the logs have no ${missingRequired.join(', ')}`;
      continue;
    }
    if (detector.coverage) {
      const context = { dialect, direction: DIRECTION_SQL };
      const [row] = (await store.query(detector.coverage.feature(settings.params, context))).map(plain);
      const verdict = row ? detector.coverage.judge(row as never, settings.params) : undefined;
      if (verdict && 'skipped' in verdict) {
        run.skipped = verdict.skipped;
        continue;
      }
      if (verdict) run.note = verdict.note;
    }
    const missingUsed = detector.uses.filter((use) => !present.has(use.field));
    const rows = (
      await store.query(detector.feature(settings.params, { dialect, direction: DIRECTION_SQL }))
    ).map(plain);
    run.candidates = rows.length;
    const detections = mergeByPair(rows.flatMap((row) => detector.score(row, settings.params) ?? []));
    const sources = await fetchSources(
      store,
      detections.flatMap((d) =>
        d.sources ? [{ key: d.sources, firstSeen: d.firstSeen, lastSeen: d.lastSeen }] : [],
      ),
    );
    let sourced = 0;
    for (const detection of detections) {
      // a many-sender finding's id names its target alone: its busiest source may change as data is added
      const id = findingId(detector.id, detection.actor, detection.target);
      const senders = detection.sources ? (sources[sourced++] ?? []) : undefined;
      if (senders) detection.actor = senders[0]?.actor ?? 'unknown';
      const finding: Omit<Finding, 'evidence'> = {
        id,
        detector: detector.id,
        title: detector.title,
        severity: detection.severity,
        confidence: Number(
          (detection.confidence * MISSING_FIELD_CONFIDENCE ** missingUsed.length).toFixed(2),
        ),
        actor: detection.actor,
        target: detection.target,
        targetCount: detection.targetCount,
        direction: detection.direction,
        attack: detector.attack,
        firstSeen: detection.firstSeen,
        lastSeen: detection.lastSeen,
        count: detection.count,
        explanation: senders ? `${detection.explanation} ${describeSources(senders)}` : detection.explanation,
        subScores: detection.subScores,
        metrics: detection.metrics,
        limitations: missingUsed.map((use) => `no ${use.field} in the logs: ${use.without}`),
        ...(senders ? { sources: senders } : {}),
      };
      const suppressed = allowlist.match({ ...finding, evidence: detection.evidence });
      if (suppressed) {
        finding.suppressed = suppressed;
        run.suppressed++;
      } else {
        run.findings++;
      }
      found.push(finding);
      keys.push(detection.evidence);
    }
    run.elapsedMs = Math.round(performance.now() - t0);
  }
  stages.detectors = since(detecting);
  const collecting = performance.now();
  const rollingUp = new Set(catalogue.filter((d) => d.rollsUp).map((d) => d.id));
  const rolled = rollUp(found, keys, rollingUp);
  const evidence = await fetchEvidence(store, rolled.keys);
  const findings = rolled.findings.map((finding, i) => ({
    ...enrichFinding(finding, owners),
    evidence: evidence[i] ?? [],
  }));
  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      b.confidence - a.confidence ||
      b.count - a.count ||
      a.id.localeCompare(b.id),
  );
  stages.evidence = since(collecting);
  const leading = performance.now();
  const leaders = await trafficLeaders(store);
  stages.leaders = since(leading);
  return {
    findings,
    detectors: runs,
    connections: Number(counted?.n ?? 0),
    leaders,
    threatLists: threats.lists,
    enrichment: owners.enrichmentSources(),
    ...(owners.warnings.length > 0 ? { enrichmentWarnings: [...owners.warnings] } : {}),
    elapsedMs: since(started),
    stages,
  };
}

const since = (t0: number): number => Math.round(performance.now() - t0);

/**
 * One finding per (actor, target): a detector that scores per time window may return several
 * detections for one pair. The strongest one speaks for all; counts add up and the span widens.
 * Equally strong ones are told apart by time, then by their words: feature rows come in no
 * particular order, and which one speaks must not depend on it.
 */
export function mergeByPair(detections: readonly Detection[]): Detection[] {
  const byPair = new Map<string, { best: Detection; merged: Detection; windows: number }>();
  for (const d of detections) {
    const key = `${d.actor}\u0000${d.target ?? ''}`;
    const seen = byPair.get(key);
    if (!seen) {
      byPair.set(key, { best: d, merged: { ...d }, windows: 1 });
      continue;
    }
    const stronger =
      severityRank(d.severity) - severityRank(seen.best.severity) ||
      d.confidence - seen.best.confidence ||
      d.count - seen.best.count ||
      seen.best.firstSeen - d.firstSeen ||
      seen.best.lastSeen - d.lastSeen ||
      (d.explanation < seen.best.explanation ? 1 : 0);
    if (stronger > 0) seen.best = d;
    seen.windows++;
    seen.merged = {
      ...seen.best,
      count: seen.merged.count + d.count,
      firstSeen: Math.min(seen.merged.firstSeen, d.firstSeen),
      lastSeen: Math.max(seen.merged.lastSeen, d.lastSeen),
    };
  }
  return [...byPair.values()].map(({ merged, windows }) =>
    windows === 1
      ? merged
      : {
          ...merged,
          explanation: `${merged.explanation} The pattern recurs in ${windows} time windows.`,
          metrics: { ...merged.metrics, windows },
        },
  );
}

/** Stable across runs: the same detector, actor and target always give the same id. */
export function findingId(detector: string, actor: string, target: string | null): string {
  return sha256Hex(`${detector}\u0000${actor}\u0000${target ?? ''}`).slice(0, 16);
}

/** Which parts of connection reconstruction these flows need (each costs a lookup per record). */
async function connectionInputs(store: AnalysisStore): Promise<ConnectionInputs> {
  const [row] = await store.query<{ middleboxes: boolean; logs: boolean }>(CONNECTION_INPUTS_SQL);
  return { middleboxes: row?.middleboxes ?? true, connectionLogs: row?.logs ?? true };
}

/** Columns with at least one non-NULL value, among those the detectors require or use. */
async function fieldsPresent(
  store: AnalysisStore,
  catalogue: readonly Detector[],
): Promise<Set<FlowColumnName>> {
  const columns = [...new Set(catalogue.flatMap((d) => [...d.requires, ...d.uses.map((u) => u.field)]))];
  if (columns.length === 0) return new Set();
  const [counts] = await store.query<Record<string, bigint>>(
    `SELECT ${columns.map((c) => `count(${c}) AS ${c}`).join(', ')} FROM flows`,
  );
  return new Set(columns.filter((c) => Number(counts?.[c] ?? 0) > 0));
}

/** DuckDB hands back BIGINT/HUGEINT as bigint; scoring works in plain numbers. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const convert = (v: unknown): unknown =>
    typeof v === 'bigint'
      ? Number(v)
      : Array.isArray(v)
        ? v.map(convert)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x)]))
          : v;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, convert(v)]));
}
