import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { syntheticFinding, syntheticReport } from '../../../test/helpers/manyFindings.js';
import type { Finding } from '../../finding.js';
import type { ScanReport } from '../../report.js';
import { piecesText } from '../writePieces.js';
import { FULL_DETAIL_PER_DETECTOR } from './findingList.js';
import { renderFindingsHtml } from './index.js';

const SCRIPT = '<script>alert(1)</script>';

function reportOf(findings: Finding[]): ScanReport {
  const base = syntheticReport(1);
  return { ...base, analysis: { ...base.analysis, findings } };
}

function render(report: ScanReport, budgetBytes?: number) {
  const text = piecesText(renderFindingsHtml(report, budgetBytes ? { budgetBytes } : {}));
  const doc = parseHTML(text).document;
  const ids = (selector: string) =>
    [...doc.querySelectorAll(selector)].map((e) => e.getAttribute('data-finding-id'));
  return { text, doc, cards: ids('article.finding'), rows: ids('tr.finding-row') };
}

/** "12,345 findings not shown; …" → 12345, from each notice that says so */
function notShown(doc: Document): number[] {
  return [...doc.querySelectorAll('.cut')].map((e) =>
    Number(
      /([\d,]+) findings? not shown; the JSON\/CSV output has them all\./
        .exec(e.textContent ?? '')?.[1]
        ?.replaceAll(',', ''),
    ),
  );
}

describe('the HTML report of many findings', () => {
  const scans = Array.from({ length: FULL_DETAIL_PER_DETECTOR + 150 }, (_, i) =>
    syntheticFinding(i * 1000, 0),
  );
  const probes = Array.from({ length: 30 }, (_, i) => syntheticFinding(i * 1000 + 650, 0));
  const findings = [...scans.slice(0, 50), ...probes, ...scans.slice(50)];

  it('shows the most severe of each detector in full and the others one line each, in report order', () => {
    expect(new Set(scans.map((f) => f.detector))).toEqual(new Set(['portscan']));
    expect(new Set(probes.map((f) => f.detector))).toEqual(new Set(['probe']));
    const { doc, cards, rows } = render(reportOf(findings));
    const inFull = [...scans.slice(0, 50), ...probes, ...scans.slice(50, FULL_DETAIL_PER_DETECTOR)];
    expect(cards).toEqual(inFull.map((f) => f.id));
    expect(rows).toEqual(scans.slice(FULL_DETAIL_PER_DETECTOR).map((f) => f.id));
    expect(doc.querySelector('#findings .note')?.textContent).toContain(
      'the other 150 are listed one line each',
    );
    expect(doc.querySelectorAll('.cut')).toHaveLength(0);
  });

  it('keeps values from the logs as text in a row', () => {
    const hostile = scans.map((f, i) =>
      i === scans.length - 1 ? { ...f, actor: SCRIPT, target: SCRIPT } : f,
    );
    const { doc } = render(reportOf(hostile));
    const last = doc.querySelector(`tr[data-finding-id="${scans.at(-1)?.id}"]`);
    expect(last?.querySelector('.actor')?.textContent).toBe(SCRIPT);
    // only the page's own scripts: the chart library and the timeline
    expect(doc.querySelectorAll('script:not([type])')).toHaveLength(2);
  });

  it('stops adding rows at the size budget, saying how many it left out at the top and where the rows stop', () => {
    const many = syntheticReport(3000, 1);
    const whole = render(many);
    expect(whole.cards.length + whole.rows.length).toBe(3000);
    // about 500 rows fewer than the whole list
    const budget = Buffer.byteLength(whole.text) - 200_000;
    const { text, doc, cards, rows } = render(many, budget);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(budget);
    expect(rows.length).toBeGreaterThan(0);
    const [top, end] = notShown(doc);
    expect(notShown(doc)).toEqual([top, top]);
    expect(top).toBeGreaterThan(0);
    expect(cards.length + rows.length + (top ?? 0)).toBe(3000);
    expect(doc.querySelector('header .cut')).not.toBeNull();
    expect(doc.querySelector('#more-findings > :last-child')?.id).toBe('not-shown');
    expect(end).toBe(top);
    // what is left out is the end of the list: the least severe
    const order = many.analysis.findings.map((f) => f.id);
    const shown = new Set([...cards, ...rows]);
    expect(order.slice(0, shown.size).every((id) => shown.has(id))).toBe(true);
  });

  it('stops among the cards when even they exceed the budget', () => {
    const many = syntheticReport(3000, 10);
    const budget = 300_000;
    const { text, doc, cards, rows } = render(many, budget);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(budget);
    expect(rows).toEqual([]);
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.length).toBeLessThan(6 * FULL_DETAIL_PER_DETECTOR);
    expect(notShown(doc)).toEqual([3000 - cards.length, 3000 - cards.length]);
    expect(doc.querySelector('#findings > .cut')?.id).toBe('not-shown');
    expect(doc.getElementById('more-findings')).toBeNull();
  });

  it('leaves a report of a few findings as it was: no rows, notices or their styles', () => {
    const { text, rows } = render(reportOf(scans.slice(0, FULL_DETAIL_PER_DETECTOR)));
    expect(rows).toEqual([]);
    expect(text).not.toContain('class="cut"');
    expect(text).not.toContain('.cut {');
  });
});
