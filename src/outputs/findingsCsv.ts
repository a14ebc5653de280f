import type { Finding } from '../finding.js';
import { type ScanReport, shownFindings } from '../report.js';
import { defineOutput } from './defineOutput.js';
import { ownerText } from './ownerText.js';

/**
 * Findings as CSV (RFC 4180), one row per finding, for spreadsheets. Every value that came from the
 * logs is a potential formula: a cell starting with = + - @ or a tab/CR is prefixed with a quote so
 * Excel, LibreOffice and Google Sheets show it as text (OWASP "CSV injection").
 */
const COLUMNS: readonly [string, (f: Finding) => string | number][] = [
  ['id', (f) => f.id],
  ['severity', (f) => f.severity],
  ['confidence', (f) => f.confidence],
  ['detector', (f) => f.detector],
  ['title', (f) => f.title],
  ['actor', (f) => f.actor],
  ['target', (f) => f.target ?? ''],
  ['target_count', (f) => f.targetCount],
  ['direction', (f) => f.direction],
  ['first_seen', (f) => iso(f.firstSeen)],
  ['last_seen', (f) => iso(f.lastSeen)],
  ['count', (f) => f.count],
  ['attack', (f) => f.attack.join(' ')],
  ['explanation', (f) => f.explanation],
  ['limitations', (f) => f.limitations.join('; ')],
  ['first_evidence', (f) => (f.evidence[0] ? `${f.evidence[0].file}:${f.evidence[0].line}` : '')],
  ['suppressed', (f) => f.suppressed?.reason ?? ''],
  // a roll-up of internet noise: how many sources, and every one of them (space-separated)
  ['source_count', (f) => f.sources?.length ?? ''],
  ['sources', (f) => f.sources?.map((s) => s.actor).join(' ') ?? ''],
  // who holds the addresses, from the offline data the JSON output's analysis.enrichment names
  ['actor_owner', (f) => ownerText(f.actorOwner)],
  ['target_owner', (f) => ownerText(f.targetOwner)],
];

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header, then one row per shown finding, each ended by CRLF as RFC 4180 has it. */
export function* renderFindingsCsv(report: ScanReport): Generator<string> {
  yield `${COLUMNS.map(([name]) => name).join(',')}\r\n`;
  for (const f of shownFindings(report))
    yield `${COLUMNS.map(([, value]) => csvCell(value(f))).join(',')}\r\n`;
}

export const csvOutput = defineOutput({
  id: 'csv',
  describe: 'one row per finding, safe to open in a spreadsheet',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  render: renderFindingsCsv,
});
