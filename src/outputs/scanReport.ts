import type { Analysis } from '../engine/analyse.js';
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
