import type { ScanReport } from './scanReport.js';

/** One finding per line (the native finding objects), for log shippers and `jq -c`. */
export function renderFindingsNdjson(report: ScanReport): string {
  return report.analysis.findings
    .filter((f) => report.showSuppressed || !f.suppressed)
    .map((f) => `${JSON.stringify(f)}\n`)
    .join('');
}
