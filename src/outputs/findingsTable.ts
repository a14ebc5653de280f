import { type Finding, SEVERITIES, type Severity } from '../finding.js';
import { protocolLabel } from '../protocols.js';
import type { Analysis, ScanReport } from '../report.js';
import { defineOutput } from './defineOutput.js';
import { renderIngestSummary } from './ingestSummaryText.js';
import { addressWithOwner, enrichmentLines, namesOwners } from './ownerText.js';
import { decimalBytes, isoSeconds } from './textUnits.js';

const n = (value: number) => value.toLocaleString('en-US');

/**
 * The terminal report: the ingest summary, then findings grouped by severity, most severe first.
 * Written a finding at a time; every line ends in a newline.
 */
export function* renderFindingsTable(report: ScanReport): Generator<string> {
  if (report.ingest) yield `${renderIngestSummary(report.ingest)}\n`;
  const { analysis } = report;
  const active = new Map<Severity, number>();
  let suppressed = 0;
  for (const f of analysis.findings) {
    if (f.suppressed) suppressed++;
    else active.set(f.severity, (active.get(f.severity) ?? 0) + 1);
  }
  const activeCount = analysis.findings.length - suppressed;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .map((s) => [s, active.get(s) ?? 0] as const)
    .filter(([, c]) => c > 0);
  yield `Analysed ${n(analysis.connections)} connections with ${analysis.detectors.filter((d) => !d.skipped).length} detectors in ${(analysis.elapsedMs / 1000).toFixed(1)} s: ` +
    `${n(activeCount)} finding(s)${activeCount ? ` (${bySeverity.map(([s, c]) => `${c} ${s}`).join(', ')})` : ''}` +
    `${suppressed ? `, ${n(suppressed)} suppressed by the allowlist${report.showSuppressed ? '' : ' (--show-suppressed lists them)'}` : ''}.\n`;
  for (const run of analysis.detectors) {
    if (run.skipped) yield `  ${run.id} did not run: ${run.skipped}\n`;
    else if (run.note) yield `  ${run.id}: ${run.note}\n`;
  }
  for (const line of leaderLines(analysis.leaders)) yield `${line}\n`;
  const shown = analysis.findings.filter((f) => report.showSuppressed || !f.suppressed);
  for (const severity of [...SEVERITIES].reverse() as Severity[]) {
    const group = shown.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    yield `\n${severity.toUpperCase()} (${group.length})\n`;
    for (const f of group) yield `${findingLines(f).join('\n')}\n`;
  }
  const enrichment = namesOwners(shown) ? enrichmentLines(analysis.enrichment) : [];
  if (enrichment.length > 0) yield `\nAddress owners from:\n${enrichment.map((l) => `  ${l}\n`).join('')}`;
  for (const warning of analysis.enrichmentWarnings ?? []) yield `  warning: ${warning}\n`;
}

function findingLines(f: Finding): string[] {
  const actor = addressWithOwner(f.actor, f.actorOwner);
  const who = f.target
    ? `${actor} → ${addressWithOwner(f.target, f.targetOwner)}`
    : f.targetCount > 1
      ? `${actor} → ${n(f.targetCount)} hosts`
      : actor;
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
    .map((p) => `${p.port}/${protocolLabel(p.protocol).toLowerCase()} ${n(p.connections)}`)
    .join(', ');
  return [`Top talkers by bytes: ${talkers}`, ...(ports ? [`Top services by connections: ${ports}`] : [])];
}

export const tableOutput = defineOutput({
  id: 'table',
  describe: 'findings by severity for people (the default of scan)',
  contentType: 'text/plain; charset=utf-8',
  extension: 'txt',
  render: renderFindingsTable,
});
