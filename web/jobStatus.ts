/** Small pieces shared by the jobs list and the job view: status badges, stage text, severity counts. */
import type { Severity } from '../src/finding.js';
import type { Job, JobProgress } from '../src/server/apiTypes.js';
import { bar, h } from './dom.js';
import { bytes, num, percent } from './format.js';
import { SEVERITIES_DESC } from './severity.js';

export const STAGE_TEXT: Record<JobProgress['stage'], string> = {
  queued: 'waiting in the queue',
  ingest: 'reading the files',
  analyse: 'running the detectors',
  save: 'saving the findings',
  done: 'done',
  failed: 'failed',
};

export function statusBadge(job: Job): HTMLElement {
  return h('span', { class: `status status-${job.status}`, 'data-status': job.status }, job.status);
}

export const jobSize = (job: Job): number => job.files.reduce((s, f) => s + f.size, 0);

/** How far the job is, 0–1: by bytes read while reading, then the later stages. */
export function stageFraction(p: JobProgress): number {
  switch (p.stage) {
    case 'queued':
      return 0;
    case 'ingest':
      return p.bytesTotal > 0
        ? (p.bytesDone / p.bytesTotal) * 0.8
        : p.filesTotal > 0
          ? (p.filesDone / p.filesTotal) * 0.8
          : 0;
    case 'analyse':
      return 0.85;
    case 'save':
      return 0.95;
    default:
      return 1;
  }
}

export function progressLine(p: JobProgress): string {
  const parts = [STAGE_TEXT[p.stage]];
  if (p.filesTotal > 0) parts.push(`files ${num(p.filesDone)}/${num(p.filesTotal)}`);
  if (p.bytesTotal > 0) parts.push(`${bytes(p.bytesDone)} of ${bytes(p.bytesTotal)}`);
  if (p.records > 0) parts.push(`${num(p.records)} records`);
  if (p.recordsPerSecond > 0) parts.push(`${num(Math.round(p.recordsPerSecond))} records/s`);
  return parts.join(' · ');
}

export function miniProgress(job: Job): HTMLElement {
  const p = job.progress;
  const track = h('span', { class: 'progress mini', 'aria-hidden': 'true' }, bar(stageFraction(p), 'fill'));
  return h(
    'span',
    { class: 'mini-progress', 'data-stage': p.stage, title: progressLine(p) },
    track,
    ' ',
    p.stage === 'ingest' && p.bytesTotal > 0
      ? `${p.stage} ${Math.floor(percent(p.bytesDone, p.bytesTotal))}%`
      : p.stage,
  );
}

/** `3 high · 4 medium` as badges; "none" when zero. */
export function severityBadges(counts: Record<Severity, number>, suppressed = 0): HTMLElement {
  const present = SEVERITIES_DESC.filter((s) => (counts[s] ?? 0) > 0);
  return h(
    'span',
    { class: 'sev-badges' },
    present.length === 0 ? h('span', { class: 'note' }, 'none') : null,
    present.map((s) =>
      h('span', { class: `badge sev-${s}`, 'data-severity': s, title: s }, `${counts[s]} ${s}`),
    ),
    suppressed > 0 ? h('span', { class: 'note' }, ` +${suppressed} suppressed`) : null,
  );
}
