import type { EvidenceKey } from '../detectors/define.js';
import { sha256Hex } from '../digest.js';
import { type Finding, type FindingSource, severityRank } from '../finding.js';

/**
 * Sources of one kind of internet noise against one target (and port set) beyond which they are one
 * finding: more than a person reads one by one, and about what a day of an internet-facing address
 * draws from scanners (GuardDuty likewise reports unprotected-port probes once per resource, with the
 * remote addresses listed).
 */
export const ROLL_UP_MIN_SOURCES = 20;

/** Sources named in a roll-up's explanation; the outputs list them all. */
const SOURCES_NAMED = 3;

type Pending = Omit<Finding, 'evidence'>;

/**
 * Internet background noise as GuardDuty aggregates it: findings of a rolling-up detector whose
 * actors are internet sources (direction inbound), not suppressed, grouped by (detector, target,
 * ports); a group of at least `minSources` becomes one finding that keeps every source (`sources`),
 * takes the most severe member's severity, explanation and evidence, and adds up counts and times.
 * Internal actors are never rolled up. `keys` runs beside `findings` (each finding's evidence key).
 */
export function rollUp(
  findings: readonly Pending[],
  keys: readonly EvidenceKey[],
  rollingUp: ReadonlySet<string>,
  minSources = ROLL_UP_MIN_SOURCES,
): { findings: Pending[]; keys: EvidenceKey[] } {
  const groups = new Map<string, number[]>();
  findings.forEach((finding, index) => {
    if (!rollingUp.has(finding.detector) || finding.direction !== 'inbound' || finding.suppressed) return;
    const group = groupKey(finding, keys[index] ?? {});
    const members = groups.get(group) ?? [];
    members.push(index);
    groups.set(group, members);
  });
  const rolled = new Set<number>();
  const out: Pending[] = [];
  const outKeys: EvidenceKey[] = [];
  for (const [group, members] of groups) {
    if (members.length < minSources) continue;
    for (const index of members) rolled.add(index);
    const ordered = members
      .map((index) => ({ index, finding: findings[index] as Pending }))
      .sort((a, b) => stronger(b.finding, a.finding));
    const strongest = ordered[0] as { index: number; finding: Pending };
    out.push(
      rolledUp(
        group,
        ordered.map((m) => m.finding),
      ),
    );
    outKeys.push(keys[strongest.index] ?? {});
  }
  findings.forEach((finding, index) => {
    if (rolled.has(index)) return;
    out.push(finding);
    outKeys.push(keys[index] ?? {});
  });
  return { findings: out, keys: outKeys };
}

function groupKey(finding: Pending, key: EvidenceKey): string {
  const ports = [...(key.serverPorts ?? [])].sort((a, b) => a - b).join(',');
  return `${finding.detector}\u0000${finding.target ?? ''}\u0000${ports}\u0000${key.protocol ?? ''}`;
}

/** Positive when `a` is the stronger finding: severity, then confidence, count, then actor. */
function stronger(a: Pending, b: Pending): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.confidence - b.confidence ||
    a.count - b.count ||
    (a.actor < b.actor ? 1 : a.actor > b.actor ? -1 : 0)
  );
}

function rolledUp(group: string, members: readonly Pending[]): Pending {
  const strongest = members[0] as Pending;
  let count = 0;
  let firstSeen = Number.POSITIVE_INFINITY;
  let lastSeen = Number.NEGATIVE_INFINITY;
  let targetCount = 0;
  for (const m of members) {
    count += m.count;
    firstSeen = Math.min(firstSeen, m.firstSeen);
    lastSeen = Math.max(lastSeen, m.lastSeen);
    targetCount = Math.max(targetCount, m.targetCount);
  }
  const sources: FindingSource[] = members.map((m) => ({
    actor: m.actor,
    severity: m.severity,
    confidence: m.confidence,
    count: m.count,
    firstSeen: m.firstSeen,
    lastSeen: m.lastSeen,
    id: m.id,
  }));
  const named = sources
    .slice(0, SOURCES_NAMED)
    .map((s) => `${s.actor} (${s.count.toLocaleString('en-US')})`)
    .join(', ');
  const more = sources.length > SOURCES_NAMED ? `, and ${sources.length - SOURCES_NAMED} more` : '';
  const limitations = [...new Set(members.flatMap((m) => m.limitations))];
  return {
    ...strongest,
    id: sha256Hex(`rollup\u0000${group}`).slice(0, 16),
    count,
    firstSeen,
    lastSeen,
    targetCount,
    explanation: `${sources.length.toLocaleString('en-US')} internet sources did this to ${
      strongest.target ?? 'your hosts'
    }: ${named}${more} (every source is listed in the JSON, NDJSON, CSV and OCSF outputs). The strongest: ${
      strongest.explanation
    }`,
    metrics: { ...strongest.metrics, sources: sources.length },
    limitations,
    sources,
  };
}
