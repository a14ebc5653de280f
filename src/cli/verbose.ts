import type { FlowhawkConfig } from '../config/config.js';
import type { Analysis } from '../report.js';

/** --verbose: how the analysis went, detector by detector, on standard error. */
export function describeAnalysis(config: FlowhawkConfig, analysis: Analysis): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const lines = [
    `flowhawk: config: ${config.source}; ${n(analysis.connections)} connections; analysis ${(analysis.elapsedMs / 1000).toFixed(1)} s`,
  ];
  for (const run of analysis.detectors) {
    const what = run.skipped
      ? `skipped: ${run.skipped}`
      : `${n(run.candidates)} candidate(s) → ${n(run.findings)} finding(s)${run.suppressed ? `, ${n(run.suppressed)} suppressed` : ''}, ${(run.elapsedMs / 1000).toFixed(1)} s${run.note ? `; ${run.note}` : ''}`;
    lines.push(`flowhawk: ${run.id.padEnd(11)} ${what}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * --verbose, after the output is written: where the run's time went, one line that `npm run bench`
 * reads. read: the ingest of the paths (0 with --workspace alone); render: writing the output.
 */
export function describeStages(readMs: number, analysis: Analysis, renderMs: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const stages = analysis.stages;
  const parts = [
    `read ${s(readMs)}`,
    ...(stages
      ? [
          `connections ${s(stages.connections)}`,
          `detectors ${s(stages.detectors)}`,
          `evidence ${s(stages.evidence)}`,
          `leaders ${s(stages.leaders)}`,
        ]
      : []),
    `render ${s(renderMs)}`,
  ];
  return `flowhawk: stages: ${parts.join(', ')}\n`;
}
