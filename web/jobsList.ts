/** The jobs list: newest first, polled (quickly while a job runs), a row opens the job. */
import type { Job } from '../src/server/apiTypes.js';
import { api, errorText, isAbort } from './api.js';
import { h, replace } from './dom.js';
import { bytes, isoText, num } from './format.js';
import { jobSize, miniProgress, severityBadges, statusBadge } from './jobStatus.js';

const FAST_MS = 1500;
const SLOW_MS = 10_000;

export const jobHref = (id: string): string => `#/jobs/${encodeURIComponent(id)}`;

function row(job: Job): HTMLTableRowElement {
  const open = () => {
    location.hash = jobHref(job.id);
  };
  const tr = h(
    'tr',
    { class: 'job-row clickable', 'data-job-id': job.id, 'data-status': job.status, onClick: open },
    h('td', { class: 'name' }, h('a', { href: jobHref(job.id) }, job.name || job.id)),
    h('td', { class: 'num' }, num(job.files.length)),
    h('td', { class: 'num' }, bytes(jobSize(job))),
    h('td', null, statusBadge(job)),
    h(
      'td',
      { class: 'stage' },
      job.status === 'running' || job.status === 'queued'
        ? miniProgress(job)
        : job.status === 'failed'
          ? h('span', { class: 'error-text' }, job.error ?? 'failed')
          : h('span', { class: 'note' }, job.runs > 1 ? `${job.runs} runs` : ''),
    ),
    h(
      'td',
      null,
      job.status === 'done'
        ? severityBadges(job.findingCounts, job.suppressedCount)
        : h('span', { class: 'note' }, '-'),
    ),
    h('td', { class: 'time' }, isoText(job.createdAt)),
  );
  return tr;
}

export function jobsList(signal: AbortSignal): HTMLElement {
  const body = h('tbody');
  const status = h('p', { class: 'note', id: 'jobs-status' }, 'Loading…');
  const table = h(
    'table',
    { class: 'jobs', id: 'jobs-table', hidden: true },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'name'),
        h('th', { class: 'num' }, 'files'),
        h('th', { class: 'num' }, 'size'),
        h('th', null, 'status'),
        h('th', null, 'stage'),
        h('th', null, 'findings'),
        h('th', null, 'created (UTC)'),
      ),
    ),
    body,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function load() {
    clearTimeout(timer);
    let busy = false;
    try {
      const { jobs } = await api.jobs(signal);
      if (signal.aborted) return;
      replace(body, jobs.map(row));
      table.hidden = jobs.length === 0;
      status.textContent =
        jobs.length === 0 ? 'No jobs yet: upload flow logs above.' : `${num(jobs.length)} job(s).`;
      status.classList.remove('error');
      busy = jobs.some((j) => j.status === 'queued' || j.status === 'running');
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      const e = errorText(err);
      status.textContent = `Could not load the jobs: ${e.message}${e.hint ? ` ${e.hint}` : ''}`;
      status.classList.add('error');
    }
    if (!signal.aborted) timer = setTimeout(() => void load(), busy ? FAST_MS : SLOW_MS);
  }

  const onVisible = () => {
    if (document.visibilityState === 'visible') void load();
  };
  document.addEventListener('visibilitychange', onVisible);
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });
  void load();
  return h('section', { class: 'panel', id: 'jobs' }, h('h2', null, 'Jobs'), status, table);
}
