/**
 * The findings of a done job: filters (severities, detector, actor, free text, suppressed), the
 * count, a page of rows and paging. The filters are kept per job for this tab, so going back from a
 * finding's detail shows the same list.
 */
import type { Finding, Severity } from '../src/finding.js';
import type { FindingsPage } from '../src/server/apiTypes.js';
import { api, errorText, type FindingsQuery, isAbort } from './api.js';
import { detectorCatalogue } from './detectorCatalogue.js';
import { h, replace } from './dom.js';
import { targetText } from './findingDetail.js';
import { isoSeconds, num } from './format.js';
import { SEVERITIES_DESC } from './severity.js';

const PAGE = 100;

interface FilterState {
  severity: Severity[];
  detector: string;
  actor: string;
  q: string;
  suppressed: boolean;
  offset: number;
}

const states = new Map<string, FilterState>();

export const findingHref = (jobId: string, findingId: string): string =>
  `#/jobs/${encodeURIComponent(jobId)}/findings/${encodeURIComponent(findingId)}`;

function findingRow(jobId: string, f: Finding): HTMLTableRowElement {
  const href = findingHref(jobId, f.id);
  return h(
    'tr',
    {
      class: `finding-row clickable${f.suppressed ? ' suppressed' : ''}`,
      'data-finding-id': f.id,
      'data-detector': f.detector,
      'data-severity': f.severity,
      onClick: () => {
        location.hash = href;
      },
    },
    h('td', null, h('span', { class: `badge sev-${f.severity}` }, f.severity)),
    h('td', { class: 'detector' }, h('a', { href }, f.detector)),
    h('td', { class: 'actor' }, f.actor),
    h('td', { class: 'target' }, targetText(f)),
    h('td', { class: 'num' }, num(f.count)),
    h('td', { class: 'time' }, isoSeconds(f.firstSeen)),
    h('td', { class: 'time' }, isoSeconds(f.lastSeen)),
    h('td', { class: 'num' }, f.confidence.toFixed(2)),
    h(
      'td',
      { class: 'title' },
      f.title,
      f.suppressed ? h('span', { class: 'suppression' }, ` (suppressed: ${f.suppressed.reason})`) : null,
    ),
  );
}

export function findingsTable(jobId: string, signal: AbortSignal): HTMLElement {
  const state: FilterState = states.get(jobId) ?? {
    severity: [],
    detector: '',
    actor: '',
    q: '',
    suppressed: false,
    offset: 0,
  };
  states.set(jobId, state);

  const severityBoxes = SEVERITIES_DESC.map((s) =>
    h('input', { type: 'checkbox', name: 'severity', value: s, checked: state.severity.includes(s) }),
  );
  const detectorSelect = h(
    'select',
    { id: 'filter-detector', name: 'detector' },
    h('option', { value: '' }, 'all detectors'),
  );
  const actorInput = h('input', {
    type: 'search',
    id: 'filter-actor',
    name: 'actor',
    placeholder: 'exact address',
    value: state.actor,
    autocomplete: 'off',
  });
  const searchInput = h('input', {
    type: 'search',
    id: 'filter-q',
    name: 'q',
    placeholder: 'words in the finding',
    value: state.q,
    autocomplete: 'off',
  });
  const suppressedBox = h('input', { type: 'checkbox', id: 'filter-suppressed', checked: state.suppressed });
  const count = h(
    'p',
    { class: 'findings-count', id: 'findings-count', 'aria-live': 'polite' },
    'Loading findings…',
  );
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'findings', id: 'findings-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        [
          'severity',
          'detector',
          'actor',
          'target',
          'count',
          'first seen (UTC)',
          'last seen (UTC)',
          'confidence',
          'title',
        ].map((t) => h('th', { class: t === 'count' || t === 'confidence' ? 'num' : null }, t)),
      ),
    ),
    body,
  );
  const prev = h('button', { type: 'button', id: 'findings-prev', disabled: true }, '← previous');
  const next = h('button', { type: 'button', id: 'findings-next', disabled: true }, 'next →');
  const pager = h('p', { class: 'pager' }, prev, ' ', next);

  void detectorCatalogue().then((list) => {
    for (const d of [...list].sort((a, b) => a.id.localeCompare(b.id)))
      detectorSelect.append(h('option', { value: d.id, title: d.title }, d.id));
    detectorSelect.value = state.detector;
    // a detector filter from before the list arrived stays selected even if unknown to the list
    if (detectorSelect.value !== state.detector && state.detector) {
      detectorSelect.append(h('option', { value: state.detector }, state.detector));
      detectorSelect.value = state.detector;
    }
  });

  let inflight: AbortController | null = null;
  async function load() {
    inflight?.abort();
    const ctl = new AbortController();
    inflight = ctl;
    const stop = () => ctl.abort();
    signal.addEventListener('abort', stop, { once: true });
    const query: FindingsQuery = {
      severity: state.severity,
      detector: state.detector || undefined,
      actor: state.actor.trim() || undefined,
      q: state.q.trim() || undefined,
      suppressed: state.suppressed || undefined,
      limit: PAGE,
      offset: state.offset,
    };
    count.classList.remove('error');
    count.setAttribute('data-loading', 'true');
    try {
      const page: FindingsPage = await api.findings(jobId, query, ctl.signal);
      if (ctl.signal.aborted) return;
      replace(
        body,
        page.findings.map((f) => findingRow(jobId, f)),
      );
      const from = page.findings.length === 0 ? 0 : state.offset + 1;
      const to = state.offset + page.findings.length;
      count.textContent =
        page.total === 0
          ? 'No findings match.'
          : page.total <= PAGE && state.offset === 0
            ? `${num(page.total)} finding(s)`
            : `${num(page.total)} finding(s); showing ${num(from)}–${num(to)}`;
      count.setAttribute('data-total', String(page.total));
      count.removeAttribute('data-loading');
      table.hidden = page.findings.length === 0;
      prev.disabled = state.offset === 0;
      next.disabled = to >= page.total;
      pager.hidden = page.total <= PAGE;
    } catch (err) {
      if (ctl.signal.aborted || isAbort(err)) return;
      const e = errorText(err);
      count.textContent = `Could not load the findings: ${e.message}${e.hint ? ` ${e.hint}` : ''}`;
      count.classList.add('error');
      count.removeAttribute('data-loading');
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  const changed = () => {
    state.offset = 0;
    void load();
  };
  for (const box of severityBoxes)
    box.addEventListener('change', () => {
      state.severity = severityBoxes.filter((b) => b.checked).map((b) => b.value as Severity);
      changed();
    });
  detectorSelect.addEventListener('change', () => {
    state.detector = detectorSelect.value;
    changed();
  });
  let debounce: ReturnType<typeof setTimeout> | undefined;
  for (const [input, key] of [
    [actorInput, 'actor'],
    [searchInput, 'q'],
  ] as const)
    input.addEventListener('input', () => {
      state[key] = input.value;
      // the list is out of date from the first key press: say so until the new page arrives
      count.setAttribute('data-loading', 'true');
      clearTimeout(debounce);
      debounce = setTimeout(changed, 250);
    });
  suppressedBox.addEventListener('change', () => {
    state.suppressed = suppressedBox.checked;
    changed();
  });
  prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE);
    void load();
  });
  next.addEventListener('click', () => {
    state.offset += PAGE;
    void load();
  });
  signal.addEventListener('abort', () => clearTimeout(debounce));

  const filters = h(
    'form',
    { class: 'filters', id: 'findings-filters', role: 'search' },
    h(
      'fieldset',
      { class: 'severities' },
      h('legend', null, 'severity'),
      severityBoxes.map((box, i) =>
        h('label', { class: `sev-check sev-${SEVERITIES_DESC[i]}` }, box, ` ${SEVERITIES_DESC[i]}`),
      ),
    ),
    h('label', null, 'detector ', detectorSelect),
    h('label', null, 'actor ', actorInput),
    h('label', null, 'search ', searchInput),
    h('label', null, suppressedBox, ' show suppressed'),
  );
  filters.addEventListener('submit', (e) => e.preventDefault());
  void load();
  return h(
    'section',
    { class: 'panel', id: 'findings' },
    h('h2', null, 'Findings'),
    filters,
    count,
    table,
    pager,
  );
}
