import type { Analysis } from '../engine/analyse.js';
import type { Finding } from '../finding.js';
import type { IngestSummary } from '../ingest/summary.js';

/** What every output format renders: the analysis, and the ingest summary when files were read. */
export interface ScanReport {
  version: string;
  /** ISO time the report was made */
  generatedAt: string;
  analysis: Analysis;
  ingest?: IngestSummary;
  /** include suppressed findings, marked with their allowlist reason */
  showSuppressed: boolean;
}

/** The findings a report shows, in the analysis' order (most severe first), one at a time. */
export function* shownFindings(report: ScanReport): Generator<Finding> {
  for (const f of report.analysis.findings) if (report.showSuppressed || !f.suppressed) yield f;
}
