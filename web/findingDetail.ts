/** One finding in full: what, who, when, how sure, why, what it could not check, and the records. */

import type { PortChart } from '../src/detectors/define.js';
import type { EvidenceRecord, Finding, FindingSource } from '../src/finding.js';
import { ownerText } from '../src/outputs/ownerText.js';
import { api, errorText, isAbort } from './api.js';
import { intervalHistogramChart, portCoverageChart } from './charts.js';
import { detectorCatalogue } from './detectorCatalogue.js';
import { bar, h, replace } from './dom.js';
import { isoSeconds, num, protocolName, tcpFlags } from './format.js';
import { jobHref } from './jobsList.js';

/** The one target, or how many hosts; `-` when the actor is the subject (an exposed service). */
export const targetText = (f: Finding): string =>
  f.target ?? (f.targetCount > 0 ? `${num(f.targetCount)} hosts` : '-');

const endpoint = (addr: string | null, port: number | null) =>
  `${addr ?? '-'}${port == null ? '' : `:${port}`}`;

/** The end time; only the time of day when it falls on the start's date (the table stays narrow). */
function endText(start: number | null, end: number | null): string {
  const full = isoSeconds(end);
  const from = isoSeconds(start);
  return start != null && full.slice(0, 11) === from.slice(0, 11) ? full.slice(11) : full;
}

/** One record: its values on one line, then the file and line it was read from. */
function evidenceRecord(r: EvidenceRecord, columns: number): HTMLElement {
  return h(
    'tbody',
    { class: 'evidence-record' },
    h(
      'tr',
      { class: 'evidence-row' },
      h('td', { class: 'time' }, isoSeconds(r.start)),
      h('td', { class: 'time', title: isoSeconds(r.end) }, endText(r.start, r.end)),
      h('td', { class: 'addr' }, endpoint(r.srcAddr, r.srcPort)),
      h('td', { class: 'addr' }, endpoint(r.dstAddr, r.dstPort)),
      h('td', null, protocolName(r.protocol)),
      h('td', { class: 'num' }, num(r.packets)),
      h('td', { class: 'num' }, num(r.bytes)),
      // a log-status record (a coverage finding's proof) has no action: its status stands there
      h('td', null, r.action ?? r.logStatus ?? '-'),
      h('td', null, tcpFlags(r.tcpFlags)),
      h('td', null, r.interfaceId ?? '-'),
      h('td', null, r.flowDirection ?? '-'),
    ),
    h(
      'tr',
      { class: 'evidence-source' },
      h('td', { class: 'file', colspan: columns }, `${r.file}:${r.line}`),
    ),
  );
}

function evidenceTable(evidence: readonly EvidenceRecord[]): HTMLElement {
  if (evidence.length === 0) return h('p', { class: 'note' }, 'No evidence records.');
  const heads = [
    'start (UTC)',
    'end',
    'source',
    'destination',
    'protocol',
    'packets',
    'bytes',
    'action / status',
    'tcp flags',
    'interface',
    'flow direction',
  ];
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'evidence', id: 'evidence-table' },
      h(
        'caption',
        null,
        `Evidence records (${evidence.length}), each with the file and line it was read from`,
      ),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          heads.map((t) => h('th', { class: t === 'packets' || t === 'bytes' ? 'num' : null }, t)),
        ),
      ),
      evidence.map((r) => evidenceRecord(r, heads.length)),
    ),
  );
}

/** Sources shown on the page; the JSON download holds every one. */
const SHOWN_SOURCES = 100;

/** Every sender of a many-sender finding or member of a roll-up, busiest first, with its owner. */
function sourcesTable(sources: readonly FindingSource[] | undefined): HTMLElement | null {
  if (!sources || sources.length === 0) return null;
  const shown = sources.slice(0, SHOWN_SOURCES);
  const volumes = shown.some((s) => s.packets !== undefined);
  const heads = [
    'source',
    'owner',
    'connections',
    ...(volumes ? ['packets', 'bytes'] : ['severity']),
    'seen (UTC)',
  ];
  const more =
    sources.length > shown.length ? `; the first ${shown.length} here, all in the JSON download` : '';
  return h(
    'section',
    { class: 'sources-block' },
    h('h3', null, 'Sources'),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'evidence', id: 'sources-table' },
        h('caption', null, `${num(sources.length)} source(s), busiest first${more}`),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            heads.map((t) => h('th', null, t)),
          ),
        ),
        h(
          'tbody',
          null,
          shown.map((src) =>
            h(
              'tr',
              { class: 'source-row' },
              h('td', { class: 'addr' }, src.actor),
              h('td', null, ownerText(src.owner) || '-'),
              h('td', { class: 'num' }, num(src.count)),
              ...(volumes
                ? [
                    h('td', { class: 'num' }, num(src.packets ?? 0)),
                    h('td', { class: 'num' }, num(src.bytes ?? 0)),
                  ]
                : [h('td', null, src.severity ?? '-')]),
              h(
                'td',
                { class: 'time' },
                `${isoSeconds(src.firstSeen)} → ${endText(src.firstSeen, src.lastSeen)}`,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function subScores(scores: Record<string, number>): HTMLElement | null {
  return namedValues('Sub-scores (0–1)', 'subscores', scores, (v) =>
    h(
      'td',
      { class: 'num' },
      h('span', { class: 'meter', 'aria-hidden': 'true' }, bar(v, 'fill')),
      Number.isFinite(v) ? v.toFixed(2) : String(v),
    ),
  );
}

function metrics(values: Record<string, number | string>): HTMLElement | null {
  return namedValues('Metrics', 'metrics', values, (v) =>
    h('td', { class: 'value' }, typeof v === 'number' ? num(v) : v),
  );
}

/** A captioned table of name → value rows; nothing when there are no values. */
function namedValues<V>(
  caption: string,
  id: string,
  values: Record<string, V>,
  cell: (value: V) => HTMLElement,
): HTMLElement | null {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return h(
    'table',
    { class: `kv ${id}`, id },
    h('caption', null, caption),
    h(
      'tbody',
      null,
      entries.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), cell(v))),
    ),
  );
}

/** One finding in full; `portChart` is its card's (detectorCatalogue), none for cards without one. */
export function findingView(f: Finding, portChart?: PortChart): HTMLElement {
  const facts: [string, string][] = [
    ['title', f.title],
    ['severity', f.severity],
    ['confidence', f.confidence.toFixed(2)],
    ['actor → target', `${f.actor} → ${targetText(f)}`],
    ...(f.actorOwner ? ([["actor's owner", ownerText(f.actorOwner)]] as [string, string][]) : []),
    ...(f.targetOwner ? ([["target's owner", ownerText(f.targetOwner)]] as [string, string][]) : []),
    ['targets', num(f.targetCount)],
    ['direction', f.direction],
    ['ATT&CK', f.attack.length > 0 ? f.attack.join(', ') : '-'],
    ['first seen (UTC)', isoSeconds(f.firstSeen)],
    ['last seen (UTC)', isoSeconds(f.lastSeen)],
    ['count', num(f.count)],
    ['id', f.id],
  ];
  return h(
    'article',
    {
      class: `finding sev-${f.severity}${f.suppressed ? ' suppressed' : ''}`,
      id: 'finding-detail',
      'data-finding-id': f.id,
      'data-severity': f.severity,
    },
    h(
      'h2',
      null,
      h('span', { class: `badge sev-${f.severity}` }, f.severity),
      ' ',
      h('span', { class: 'detector' }, f.detector),
      ': ',
      h('span', { class: 'actor' }, f.actor),
      ' → ',
      h('span', { class: 'target' }, targetText(f)),
    ),
    h('p', { class: 'explanation', id: 'finding-explanation' }, f.explanation),
    f.suppressed
      ? h(
          'p',
          { class: 'suppression', id: 'finding-suppression' },
          `Suppressed by allowlist entry ${f.suppressed.rule}: ${f.suppressed.reason}`,
        )
      : null,
    h(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    h('div', { class: 'two' }, subScores(f.subScores), metrics(f.metrics)),
    intervalHistogramChart(f),
    portCoverageChart(f, portChart),
    f.limitations.length > 0
      ? h(
          'section',
          { class: 'limitations' },
          h('h3', null, 'Limitations'),
          h(
            'ul',
            null,
            f.limitations.map((l) => h('li', null, l)),
          ),
        )
      : null,
    sourcesTable(f.sources),
    h('section', { class: 'evidence-block' }, h('h3', null, 'Evidence'), evidenceTable(f.evidence)),
  );
}

export function findingPage(jobId: string, findingId: string, signal: AbortSignal): HTMLElement {
  const back = h('a', { href: jobHref(jobId), id: 'back-to-job' }, '← back to the job');
  const holder = h('div', null, h('p', { class: 'note' }, 'Loading the finding…'));
  Promise.all([api.finding(jobId, findingId, signal), detectorCatalogue()]).then(
    ([f, catalogue]) => {
      if (signal.aborted) return;
      document.title = `${f.detector} ${f.actor} · flowhawk`;
      replace(holder, findingView(f, catalogue.find((d) => d.id === f.detector)?.portChart));
    },
    (err: unknown) => {
      if (signal.aborted || isAbort(err)) return;
      const e = errorText(err);
      replace(holder, h('p', { class: 'error', role: 'alert' }, e.message, e.hint ? ` ${e.hint}` : ''));
    },
  );
  return h('section', { id: 'finding-page' }, h('p', { class: 'crumbs' }, back), holder);
}
