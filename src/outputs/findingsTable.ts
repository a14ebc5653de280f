import type { Analysis } from '../engine/analyse.js';
import { type Finding, SEVERITIES, type Severity } from '../finding.js';
import { renderIngestSummary } from './ingestSummaryText.js';
import type { ScanReport } from './scanReport.js';
import { decimalBytes, isoSeconds } from './textUnits.js';

const n = (value: number) => value.toLocaleString('en-US');

/** The terminal report: the ingest summary, then findings grouped by severity, most severe first. */
export function renderFindingsTable(report: ScanReport): string {
  const out: string[] = [];
  if (report.ingest) out.push(renderIngestSummary(report.ingest));
  const { analysis } = report;
  const shown = analysis.findings.filter((f) => report.showSuppressed || !f.suppressed);
  const suppressed = analysis.findings.length - analysis.findings.filter((f) => !f.suppressed).length;
  const active = analysis.findings.filter((f) => !f.suppressed);
  const bySeverity = [...SEVERITIES]
    .reverse()
    .map((s) => [s, active.filter((f) => f.severity === s).length] as const);
  out.push(
    `Analysed ${n(analysis.connections)} connections with ${analysis.detectors.filter((d) => !d.skipped).length} detectors in ${(analysis.elapsedMs / 1000).toFixed(1)} s: ` +
      `${n(active.length)} finding(s)${
        active.length
          ? ` (${bySeverity
              .filter(([, c]) => c > 0)
              .map(([s, c]) => `${c} ${s}`)
              .join(', ')})`
          : ''
      }` +
      `${suppressed ? `, ${n(suppressed)} suppressed by the allowlist${report.showSuppressed ? '' : ' (--show-suppressed lists them)'}` : ''}.`,
  );
  for (const run of analysis.detectors) {
    if (run.skipped) out.push(`  ${run.id} did not run: ${run.skipped}`);
    else if (run.note) out.push(`  ${run.id}: ${run.note}`);
  }
  out.push(...leaderLines(analysis.leaders));
  for (const severity of [...SEVERITIES].reverse() as Severity[]) {
    const group = shown.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push('', `${severity.toUpperCase()} (${group.length})`);
    for (const f of group) out.push(...findingLines(f));
  }
  return `${out.join('\n')}\n`;
}

function findingLines(f: Finding): string[] {
  const who = f.target
    ? `${f.actor} → ${f.target}`
    : f.targetCount > 1
      ? `${f.actor} → ${n(f.targetCount)} hosts`
      : f.actor;
  const lines = [
    `  ${f.detector.padEnd(11)} ${who}   ×${n(f.count)}   ${isoSeconds(f.firstSeen)} … ${isoSeconds(f.lastSeen)}   confidence ${f.confidence.toFixed(2)}`,
    `      ${f.explanation}`,
  ];
  if (f.limitations.length > 0) lines.push(`      limited: ${f.limitations.join('; ')}`);
  if (f.suppressed)
    lines.push(`      suppressed: ${f.suppressed.reason} (allowlist entry ${f.suppressed.rule})`);
  const first = f.evidence[0];
  if (first) {
    const more = f.evidence.length > 1 ? ` (+${f.evidence.length - 1} more in json output)` : '';
    lines.push(`      evidence: ${first.file}:${first.line}${more}`);
  }
  return lines;
}

/** Top talkers and services, one line each: context for reading the findings. */
function leaderLines(leaders: Analysis['leaders'] | undefined): string[] {
  if (!leaders || leaders.talkers.length === 0) return [];
  const talkers = leaders.talkers
    .map((t) => `${t.addr}${t.internal ? '' : ' (internet)'} ${decimalBytes(t.bytes)}`)
    .join(', ');
  const ports = leaders.ports
    .map((p) => `${p.port}/${p.protocol === 17 ? 'udp' : 'tcp'} ${n(p.connections)}`)
    .join(', ');
  return [`Top talkers by bytes: ${talkers}`, ...(ports ? [`Top services by connections: ${ports}`] : [])];
}
