import type { IngestSummary } from '../report.js';

const n = (value: number) => value.toLocaleString('en-US');

/** The ingest summary for people: what was read, what was wrong, what the data can and cannot show. */
export function renderIngestSummary(s: IngestSummary): string {
  const out: string[] = [];
  out.push(
    `Read ${n(s.files)} file(s): ${n(s.records)} flow records, ${n(s.nodata)} NODATA, ${n(s.skipdata)} SKIPDATA, ` +
      `${n(s.badLines)} bad line(s) in ${(s.elapsedMs / 1000).toFixed(1)} s (${n(s.recordsPerSecond)} records/s).`,
  );
  const skippedBy = new Map<string, number>();
  for (const skip of s.filesSkipped) skippedBy.set(skip.reason, (skippedBy.get(skip.reason) ?? 0) + 1);
  for (const [reason, count] of skippedBy) out.push(`Skipped ${n(count)} file(s): ${reason}`);
  // summaries stored by earlier versions (the server's finished jobs) have no such list
  const unreadable = s.filesUnreadable ?? [];
  if (unreadable.length > 0) out.push(`Could not read ${n(unreadable.length)} file(s) or folder(s):`);
  for (const u of unreadable) out.push(`  ${u.path}: ${u.reason}`);
  if (s.timeSpan.start) out.push(`Time span: ${s.timeSpan.start} to ${s.timeSpan.end}`);
  out.push(
    `Interfaces: ${n(s.interfaces)}   accounts: ${s.accounts.join(', ') || '-'}   regions: ${s.regions.join(', ') || '-'}`,
  );
  if (s.skipdata > 0)
    out.push(`! ${n(s.skipdata)} SKIPDATA record(s): AWS lost flow records in those windows.`);
  if (s.badLineExamples.length > 0) {
    out.push(`Bad lines (first ${s.badLineExamples.length} of ${n(s.badLines)}):`);
    for (const b of s.badLineExamples)
      out.push(`  ${b.file}:${b.line}: ${b.reason}${b.excerpt ? `  [${b.excerpt}]` : ''}`);
  }
  out.push(`Fields present: ${s.fieldsPresent.join(' ') || '-'}`);
  if (s.fieldsMissing.length > 0) {
    out.push('Fields missing, and what that costs:');
    for (const m of s.fieldsMissing) out.push(`  ${m.field}: ${m.effect}`);
  }
  for (const w of s.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
