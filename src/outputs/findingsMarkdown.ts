import { type Finding, SEVERITIES } from '../finding.js';
import type { ScanReport } from '../report.js';
import { defineOutput } from './defineOutput.js';
import { addressWithOwner, enrichmentLines, namesOwners } from './ownerText.js';
import { isoSeconds } from './textUnits.js';

/** Markdown for tickets and wikis: a summary table, then each finding with its evidence. */

/** Text from the logs must not become Markdown (links, tables, HTML): escape what would be markup. */
export function mdText(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Written a finding at a time: the summary table's rows, then each finding's details, worst first. */
export function* renderFindingsMarkdown(report: ScanReport): Generator<string> {
  const findings = report.analysis.findings.filter((f) => report.showSuppressed || !f.suppressed);
  yield `# flowhawk findings\n\n${findings.length} finding(s), generated ${report.generatedAt}.\n\n`;
  if (findings.length > 0) {
    yield '| severity | detector | actor | target | count | first seen | last seen |\n|---|---|---|---|---|---|---|\n';
    for (const f of findings) {
      yield `| ${f.severity} | ${f.detector} | ${mdText(f.actor)} | ${f.target ? mdText(f.target) : `${f.targetCount} hosts`} | ${f.count} | ${isoSeconds(f.firstSeen)} | ${isoSeconds(f.lastSeen)} |\n`;
    }
  }
  for (const severity of [...SEVERITIES].reverse()) {
    for (const f of findings) if (f.severity === severity) yield `\n${details(f).join('\n')}\n`;
  }
  const enrichment = namesOwners(findings) ? enrichmentLines(report.analysis.enrichment) : [];
  if (enrichment.length > 0) {
    yield `\n## Address owners from\n\n${enrichment.map((l) => `- ${mdText(l)}\n`).join('')}`;
  }
}

function details(f: Finding): string[] {
  const lines = [
    `## ${f.severity.toUpperCase()} ${f.detector}: ${mdText(addressWithOwner(f.actor, f.actorOwner))}${f.target ? ` → ${mdText(addressWithOwner(f.target, f.targetOwner))}` : ''}`,
    '',
    mdText(f.explanation),
    '',
    `- ATT&CK: ${f.attack.join(', ')}; confidence ${f.confidence}; direction ${f.direction}`,
  ];
  if (Object.keys(f.subScores).length > 0) {
    lines.push(
      `- sub-scores: ${Object.entries(f.subScores)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  for (const l of f.limitations) lines.push(`- limited: ${mdText(l)}`);
  if (f.suppressed) lines.push(`- suppressed: ${mdText(f.suppressed.reason)}`);
  if (f.evidence.length > 0) {
    lines.push(
      '',
      '| file:line | src | dst | proto | packets | bytes | action / status |',
      '|---|---|---|---|---|---|---|',
    );
    for (const r of f.evidence) {
      lines.push(
        `| ${mdText(`${r.file}:${r.line}`)} | ${mdText(`${r.srcAddr}:${r.srcPort}`)} | ${mdText(`${r.dstAddr}:${r.dstPort}`)} | ${r.protocol} | ${r.packets} | ${r.bytes} | ${r.action ?? r.logStatus ?? '-'} |`,
      );
    }
  }
  return lines;
}

export const mdOutput = defineOutput({
  id: 'md',
  describe: 'Markdown for tickets and wikis',
  contentType: 'text/markdown; charset=utf-8',
  extension: 'md',
  render: renderFindingsMarkdown,
});
