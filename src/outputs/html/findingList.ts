import type { Finding } from '../../finding.js';
import { ownerText } from '../ownerText.js';
import { decimalBytes, isoSeconds } from '../textUnits.js';
import { html } from './escape.js';
import { findingSection } from './sections.js';
import { utf8Length } from './utf8Length.js';

/**
 * How many findings of each detector get a full card (explanation, scores, metrics, charts, evidence):
 * its most severe, in the analysis' order; the others get a one-line row. A card with ten evidence
 * records and a chart weighs about 8 kB, so a full hundred of each of the 18 detectors (14 MB) stays
 * under half the size budget, and past its first hundred a detector's findings mostly repeat one
 * pattern (one scan seen from many sources) that a row per finding shows well enough.
 */
export const FULL_DETAIL_PER_DETECTOR = 100;

/**
 * The most an HTML report may weigh, in bytes. A browser builds the whole page at once: in full,
 * 150,000 findings would make about a gigabyte, more than a tab holds; 30 MB (600 cards and 63,000
 * rows) took headless Chromium 11–18 s to open on a shared 2-core machine, and then scrolls at once.
 * Past the budget rows stop, and the report says so at the top and where they stop.
 */
export const HTML_BUDGET_BYTES = 30_000_000;

/** Room kept for the notices, headings and table around the findings (each well under 1 kB). */
export const LIST_RESERVE_BYTES = 4096;

/** Styles only a cut or compacted report needs: smaller reports keep their bytes as they were. */
export const LIST_CSS = `
.cut { border: 1px solid #d97706; border-left: 6px solid #d97706; border-radius: 4px; background: #fffbeb; color: #92400e; font-weight: 600; padding: .5rem 1rem; }
table.compact { table-layout: fixed; content-visibility: auto; contain-intrinsic-size: auto 13000px; }
table.compact td, table.compact th { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; word-break: normal; }
.c-sev { width: 5.5rem; } .c-det { width: 6.5rem; } .c-actor { width: 10.5rem; } .c-target { width: 7.5rem; } .c-num { width: 5rem; } .c-seen { width: 22.5rem; }
`;

/**
 * Rows go in tables of this many, each laid out only when scrolled near (content-visibility), its
 * columns sized once (fixed layout): 63,000 rows in one table took Chromium over 30 s to open, in
 * tables of 500 about half that.
 */
const ROWS_PER_TABLE = 500;
const TABLE_OPEN = `<table class="compact"><colgroup><col class="c-sev"><col class="c-det"><col class="c-actor"><col class="c-target"><col class="c-num"><col class="c-seen"><col></colgroup>
<thead><tr><th>severity</th><th>detector</th><th>actor</th><th>target</th><th>count</th><th>seen (UTC)</th><th>explanation</th></tr></thead>
<tbody>
`;
const TABLE_CLOSE = '</tbody></table>\n';

export interface FindingPlan {
  /** findings shown as full cards, in report order */
  full: readonly Finding[];
  /** findings shown as one-line rows after the cards, in report order */
  compact: readonly Finding[];
  /** how many findings the budget left out: the last ones, the least severe */
  notShown: number;
}

const bytes = utf8Length;
const num = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${num(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * Which findings get a card, which a row, and where the list stops so that cards and rows together
 * weigh at most `budget` bytes. Each card and row is rendered here to be measured, and again when
 * written: twice the work for at most the budget's worth of markup, and never more than one in memory.
 */
export function planFindings(findings: readonly Finding[], budget: number): FindingPlan {
  const perDetector = new Map<string, number>();
  const full: Finding[] = [];
  const compact: Finding[] = [];
  for (const f of findings) {
    const seen = perDetector.get(f.detector) ?? 0;
    perDetector.set(f.detector, seen + 1);
    (seen < FULL_DETAIL_PER_DETECTOR ? full : compact).push(f);
  }
  let left = budget;
  const fits = (text: string) => {
    const size = bytes(text);
    if (size > left) return false;
    left -= size;
    return true;
  };
  let cards = 0;
  while (cards < full.length && fits(findingSection(full[cards] as Finding).text)) cards++;
  // a row that opens a table pays for the table's head and end
  const rowText = (i: number) =>
    `${i % ROWS_PER_TABLE === 0 ? TABLE_OPEN + TABLE_CLOSE : ''}${compactRow(compact[i] as Finding)}`;
  let rows = 0;
  if (cards === full.length) while (rows < compact.length && fits(rowText(rows))) rows++;
  return {
    full: full.slice(0, cards),
    compact: compact.slice(0, rows),
    notShown: findings.length - cards - rows,
  };
}

/** Whether the report differs from one that shows every finding in full. */
export const isCut = (plan: FindingPlan) => plan.compact.length > 0 || plan.notShown > 0;

/** The notice at the top of a report the budget cut, linking to where the list stops. */
export function topNotice(plan: FindingPlan, budget: number) {
  if (plan.notShown === 0) return '';
  return html`<p class="cut" id="cut-notice">This report stops at ${decimalBytes(budget)} so that a browser can open it: ${cutText(plan)} <a href="#not-shown">Where the list stops</a>.</p>\n`;
}

const cutText = (plan: FindingPlan) =>
  `${plural(plan.notShown, 'finding')} not shown; the JSON/CSV output has them all.`;

/**
 * The findings section: the cards; then, when there are more than the cards, the rows in a section of
 * their own; then, when the budget cut the list, the notice where it stops.
 */
export function* findingListPieces(plan: FindingPlan, total: number): Generator<string> {
  yield html`<section id="findings"><h2>Findings (${total})</h2>\n`.text;
  if (total === 0) yield html`<p class="note">No findings.</p>`.text;
  if (plan.compact.length > 0) {
    yield html`<p class="note">The ${FULL_DETAIL_PER_DETECTOR} most severe findings of each detector are shown in full; the other ${num(plan.compact.length)} ${plan.compact.length === 1 ? 'is' : 'are'} listed one line each, under <a href="#more-findings">Other findings</a>.</p>\n`
      .text;
  }
  for (const f of plan.full) yield findingSection(f).text;
  const stop = html`<p class="cut" id="not-shown">${cutText(plan)}</p>\n`.text;
  if (plan.compact.length === 0 && plan.notShown > 0) yield `\n${stop}`;
  yield '\n</section>';
  if (plan.compact.length === 0) return;
  yield html`<section id="more-findings"><h2>Other findings (${num(plan.compact.length)})</h2>\n`.text;
  for (let i = 0; i < plan.compact.length; i++) {
    if (i % ROWS_PER_TABLE === 0) yield i === 0 ? TABLE_OPEN : TABLE_CLOSE + TABLE_OPEN;
    yield compactRow(plan.compact[i] as Finding);
  }
  yield TABLE_CLOSE;
  if (plan.notShown > 0) yield stop;
  yield '</section>';
}

/** One finding in one table row: enough to find it again in the JSON or CSV output. */
export function compactRow(f: Finding): string {
  return html`<tr class="finding-row sev-${f.severity}${f.suppressed ? ' suppressed' : ''}" id="finding-${f.id}" data-finding-id="${f.id}" data-severity="${f.severity}"><td><span class="badge sev-${f.severity}">${f.severity}</span></td><td class="detector">${f.detector}</td><td class="actor" title="${ownerText(f.actorOwner)}">${f.actor}</td><td title="${ownerText(f.targetOwner)}">${f.target ?? `${f.targetCount} hosts`}</td><td class="num">${num(f.count)}</td><td>${isoSeconds(f.firstSeen)} → ${isoSeconds(f.lastSeen)}</td><td>${f.explanation}${f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : ''}</td></tr>\n`
    .text;
}
