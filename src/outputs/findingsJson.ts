import type { Analysis } from '../engine/analyse.js';
import type { IngestSummary } from '../ingest/summary.js';
import type { ScanReport } from './scanReport.js';

/** The native findings document (`--format json`): everything flowhawk knows, for scripts. */
export function renderFindingsJson(report: ScanReport): string {
  const { analysis, ingest, showSuppressed } = report;
  return `${JSON.stringify(
    {
      tool: 'flowhawk',
      version: report.version,
      generatedAt: report.generatedAt,
      ingest: ingest ?? null,
      analysis: analysisFacts(analysis),
      findings: analysis.findings.filter((f) => showSuppressed || !f.suppressed),
    },
    null,
    2,
  )}\n`;
}

function analysisFacts(analysis: Analysis) {
  return {
    connections: analysis.connections,
    elapsedMs: analysis.elapsedMs,
    suppressed: analysis.findings.filter((f) => f.suppressed).length,
    detectors: analysis.detectors,
  };
}

export type { IngestSummary };
