/**
 * One job: its files and status, live progress from the events stream while it runs, the error when
 * it failed, and when it is done the overview (severity counts, traffic timeline, top talkers and
 * ports, what the detectors could not judge), the findings, downloads, re-run and delete.
 */
import type { Job, JobOverview, JobProgress, ServerInfo } from '../src/server/apiTypes.js';
import { api, errorText, isAbort } from './api.js';
import { barTable, timelineChart } from './charts.js';
import { bar, h, replace } from './dom.js';
import { findingsTable } from './findingsTable.js';
import { bytes, elapsed, isoSeconds, isoText, num, protocolName } from './format.js';
import { deleteButton, downloads, rerunForm } from './jobActions.js';
import { jobSize, progressLine, STAGE_TEXT, stageFraction, statusBadge } from './jobStatus.js';
import { followJob, isFinished } from './jobStream.js';
import { SEVERITIES_DESC } from './severity.js';

const DEFAULT_FORMATS = ['html', 'json', 'ndjson', 'csv', 'md', 'ocsf', 'asff', 'table'];

/** The HTML report first (what most people want), then the server's order. */
const orderFormats = (formats: readonly string[]) =>
  formats.includes('html') ? ['html', ...formats.filter((f) => f !== 'html')] : [...formats];

function header(job: Job): HTMLElement {
  const source = job.source;
  const facts: [string, string][] = [
    source
      ? [
          'read from',
          `${source.url} (objects written ${source.since ?? 'any time'} → ${source.until ?? 'now'})`,
        ]
      : ['files', `${num(job.files.length)} (${bytes(jobSize(job))})`],
    ['created (UTC)', isoText(job.createdAt)],
    ['started (UTC)', isoText(job.startedAt)],
    ['finished (UTC)', isoText(job.finishedAt)],
    ['took', job.startedAt ? elapsed(job.startedAt, job.finishedAt) : '-'],
    ['analyses run', num(job.runs)],
  ];
  if (job.interruptions > 0)
    facts.push(['interrupted', `${num(job.interruptions)} time(s) by a server stop`]);
  const shown = job.files.slice(0, 500);
  return h(
    'header',
    { class: 'job-header' },
    h('h2', { id: 'job-name' }, job.name || job.id, ' ', statusBadge(job)),
    h(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    source
      ? null
      : h(
          'details',
          { class: 'files', open: job.files.length <= 5 },
          h('summary', null, `${num(job.files.length)} uploaded file(s)`),
          h(
            'ul',
            { id: 'job-files', class: 'file-list' },
            shown.map((f) =>
              h(
                'li',
                null,
                h('span', { class: 'path' }, f.name),
                ' ',
                h('span', { class: 'size' }, bytes(f.size)),
              ),
            ),
            job.files.length > shown.length
              ? h('li', { class: 'note' }, `and ${num(job.files.length - shown.length)} more`)
              : null,
          ),
        ),
  );
}

function progressPanel(job: Job, p: JobProgress): HTMLElement {
  const fraction = stageFraction(p);
  const stages: JobProgress['stage'][] = ['queued', 'ingest', 'analyse', 'save'];
  const at = stages.indexOf(p.stage);
  return h(
    'section',
    { class: 'panel progress-panel', id: 'job-progress', 'data-stage': p.stage },
    h('h3', null, 'Progress'),
    h(
      'ol',
      { class: 'stages' },
      stages.map((s, i) =>
        h('li', { class: i < at ? 'past' : i === at ? 'current' : 'future' }, s === 'queued' ? 'queue' : s),
      ),
    ),
    h(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': Math.round(fraction * 100),
        'aria-label': STAGE_TEXT[p.stage],
      },
      bar(fraction, 'fill'),
    ),
    h('p', { class: 'progress-text', id: 'job-progress-text' }, progressLine(p)),
    h(
      'p',
      { class: 'note' },
      job.startedAt ? `running for ${elapsed(job.startedAt, null)}` : 'not started yet',
    ),
  );
}

function severityCounts(job: Job): HTMLElement {
  return h(
    'ul',
    { class: 'severity-counts', id: 'severity-counts' },
    SEVERITIES_DESC.map((s) =>
      h(
        'li',
        { class: `sev sev-${s}`, 'data-severity': s },
        h('span', { class: 'count' }, num(job.findingCounts[s] ?? 0)),
        ' ',
        s,
      ),
    ),
  );
}

function overviewSection(job: Job, o: JobOverview, signal: AbortSignal): HTMLElement {
  const ingest = o.ingest;
  const traffic = o.traffic;
  const span = ingest
    ? `${isoText(ingest.timeSpan.start)} → ${isoText(ingest.timeSpan.end)}`
    : traffic
      ? `${isoSeconds(traffic.start)} → ${isoSeconds(traffic.end)}`
      : '-';
  const facts: [string, string][] = [['time span', span]];
  if (ingest) {
    facts.push([
      'files read',
      `${num(ingest.files)} (${num(ingest.filesSkipped.length)} skipped, ${num(ingest.badLines)} bad lines)`,
    ]);
    facts.push(['flow records', num(ingest.records)]);
    if (ingest.nodata + ingest.skipdata > 0)
      facts.push(['log status records', `${num(ingest.nodata)} NODATA, ${num(ingest.skipdata)} SKIPDATA`]);
    facts.push(['interfaces', num(ingest.interfaces)]);
    if (ingest.accounts.length > 0) facts.push(['accounts', ingest.accounts.join(', ')]);
    if (ingest.regions.length > 0) facts.push(['regions', ingest.regions.join(', ')]);
  } else if (traffic) {
    facts.push(['flow records', num(traffic.records)], ['interfaces', num(traffic.interfaces)]);
  }
  facts.push(['connections', num(o.connections)]);
  const total = SEVERITIES_DESC.reduce((s, k) => s + (job.findingCounts[k] ?? 0), 0);
  facts.push([
    'findings',
    `${num(total)}${job.suppressedCount > 0 ? ` (and ${num(job.suppressedCount)} suppressed by the allowlist)` : ''}`,
  ]);

  const timeline = h('div', { class: 'chart', id: 'timeline' });
  if (traffic) timelineChart(timeline, traffic, signal);
  else timeline.append(h('p', { class: 'note' }, 'No traffic recorded.'));

  const talkers = o.leaders?.talkers ?? [];
  const ports = o.leaders?.ports ?? [];
  const notes = o.detectors.filter((d) => d.skipped || d.note);
  const details: HTMLElement[] = [];
  if (notes.length > 0)
    details.push(
      h(
        'details',
        { class: 'detectors' },
        h('summary', null, `${notes.length} detector(s) did not run or could not judge everything`),
        h(
          'ul',
          null,
          notes.map((d) => h('li', null, h('code', null, d.id), `: ${d.skipped ?? d.note ?? ''}`)),
        ),
      ),
    );
  if (ingest && ingest.filesSkipped.length > 0)
    details.push(
      h(
        'details',
        { class: 'skipped' },
        h('summary', null, `${ingest.filesSkipped.length} file(s) skipped`),
        h(
          'ul',
          null,
          ingest.filesSkipped.map((f) =>
            h(
              'li',
              null,
              h('span', { class: 'path' }, f.path),
              `: ${f.reason}${f.sameAs ? ` (same as ${f.sameAs})` : ''}`,
            ),
          ),
        ),
      ),
    );
  if (ingest && ingest.badLineExamples.length > 0)
    details.push(
      h(
        'details',
        { class: 'bad-lines' },
        h('summary', null, `${num(ingest.badLines)} bad line(s): examples`),
        h(
          'ul',
          null,
          ingest.badLineExamples.map((b) =>
            h(
              'li',
              null,
              h('span', { class: 'path' }, `${b.file}:${b.line}`),
              `: ${b.reason} `,
              h('code', null, b.excerpt),
            ),
          ),
        ),
      ),
    );
  if (ingest && (ingest.fieldsMissing.length > 0 || ingest.warnings.length > 0))
    details.push(
      h(
        'details',
        // open when a warning names a file that was left out, so it is not missed
        { class: 'fields', open: ingest.warnings.length > 0 },
        h(
          'summary',
          null,
          `${ingest.fieldsMissing.length} field(s) missing, ${ingest.warnings.length} warning(s)`,
        ),
        h(
          'ul',
          null,
          ingest.fieldsMissing.map((f) => h('li', null, h('code', null, f.field), `: ${f.effect}`)),
          ingest.warnings.map((w) => h('li', { class: 'warning' }, w)),
        ),
      ),
    );

  return h(
    'section',
    { class: 'panel', id: 'overview' },
    h('h2', null, 'Overview'),
    severityCounts(job),
    h(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    details,
    h('h3', null, 'Traffic timeline'),
    h(
      'p',
      { class: 'note' },
      `Flow records and bytes per ${num(traffic?.bucketSeconds ?? 0)} s bucket (UTC).`,
    ),
    timeline,
    h(
      'div',
      { class: 'two' },
      barTable(
        'Top talkers, by bytes sent and received',
        ['host', 'bytes', 'connections'],
        talkers.map((t) => ({
          name: [t.addr, t.internal ? '' : h('span', { class: 'note' }, ' (internet)')],
          value: t.bytes,
          text: bytes(t.bytes),
          extra: num(t.connections),
        })),
        'top-talkers',
      ),
      barTable(
        'Top services, by connections',
        ['port', 'connections', 'bytes'],
        ports.map((p) => ({
          name: `${p.port}/${protocolName(p.protocol).toLowerCase()}`,
          value: p.connections,
          extra: bytes(p.bytes),
        })),
        'top-ports',
      ),
    ),
  );
}

export function jobPage(id: string, info: ServerInfo | null, signal: AbortSignal): HTMLElement {
  const head = h('div', null, h('p', { class: 'note' }, 'Loading the job…'));
  const live = h('div');
  /** a problem with the events stream, cleared by the next event */
  const streamNote = h('p', { class: 'error', id: 'stream-note', role: 'status', hidden: true });
  const results = h('div', { id: 'job-results' });
  const actions = h('div', { id: 'job-actions' });
  const root = h(
    'section',
    { id: 'job-page', 'data-job-id': id },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← all jobs')),
    head,
    streamNote,
    live,
    results,
    actions,
  );
  let job: Job | null = null;
  /** which run and status the results and actions were drawn for */
  let drawn = '';
  let resultsCtl: AbortController | null = null;
  let following = false;

  function drawResults(j: Job) {
    resultsCtl?.abort();
    const ctl = new AbortController();
    resultsCtl = ctl;
    signal.addEventListener('abort', () => ctl.abort(), { once: true });
    if (j.status !== 'done') {
      replace(results);
      return;
    }
    const overview = h('div', null, h('p', { class: 'note' }, 'Loading the overview…'));
    replace(results, overview, findingsTable(j.id, ctl.signal));
    api.overview(j.id, ctl.signal).then(
      (o) => {
        if (!ctl.signal.aborted) replace(overview, overviewSection(j, o, ctl.signal));
      },
      (err: unknown) => {
        if (ctl.signal.aborted || isAbort(err)) return;
        const e = errorText(err);
        replace(overview, h('p', { class: 'error' }, `Could not load the overview: ${e.message}`));
      },
    );
  }

  function drawActions(j: Job) {
    replace(
      actions,
      j.status === 'done' ? downloads(j, orderFormats(info?.formats ?? DEFAULT_FORMATS)) : null,
      isFinished(j)
        ? rerunForm(j, (queued) => {
            update(queued);
            follow();
          })
        : null,
      deleteButton(j, () => {
        location.hash = '#/';
      }),
    );
  }

  function drawLive(j: Job, p: JobProgress) {
    if (j.status === 'failed')
      replace(
        live,
        h(
          'section',
          { class: 'panel failed', id: 'job-error', role: 'alert' },
          h('h3', null, 'The job failed'),
          h('p', { class: 'error-text' }, j.error ?? 'No reason was given.'),
        ),
      );
    else if (j.status === 'queued' || j.status === 'running') replace(live, progressPanel(j, p));
    else replace(live);
  }

  function update(j: Job) {
    job = j;
    root.setAttribute('data-status', j.status);
    document.title = `${j.name || j.id} · flowhawk`;
    replace(head, header(j));
    drawLive(j, j.progress);
    const key = `${j.runs}:${j.status}`;
    if (key !== drawn) {
      drawn = key;
      drawResults(j);
      drawActions(j);
    }
  }

  function follow() {
    if (following || signal.aborted) return;
    following = true;
    void followJob(
      id,
      {
        onJob: (j) => {
          streamNote.hidden = true;
          update(j);
        },
        onProgress: (p) => {
          if (!job) return;
          job = { ...job, progress: p };
          if (job.status === 'queued' || job.status === 'running') drawLive(job, p);
        },
        onError: (err, retrying) => {
          const e = errorText(err);
          streamNote.textContent = `Lost the live updates: ${e.message}${e.hint ? ` ${e.hint}` : ''}${retrying ? ' (retrying…)' : ''}`;
          streamNote.hidden = false;
        },
      },
      signal,
    ).finally(() => {
      following = false;
    });
  }

  api.job(id, signal).then(
    (j) => {
      if (signal.aborted) return;
      update(j);
      if (!isFinished(j)) follow();
    },
    (err: unknown) => {
      if (signal.aborted || isAbort(err)) return;
      const e = errorText(err);
      replace(head, h('p', { class: 'error', role: 'alert' }, e.message, e.hint ? ` ${e.hint}` : ''));
    },
  );
  return root;
}
