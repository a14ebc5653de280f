import type { Finding } from '../../finding.js';
import type { ScanReport } from '../../report.js';
import { enrichmentLines, namesOwners } from '../ownerText.js';
import { CLIENT_SCRIPT, timelineData, uplotAssets } from './charts.js';
import { html, jsonForScript, type SafeHtml } from './escape.js';
import {
  type FindingPlan,
  findingListPieces,
  HTML_BUDGET_BYTES,
  isCut,
  LIST_CSS,
  LIST_RESERVE_BYTES,
  planFindings,
  topNotice,
} from './findingList.js';
import { type PageParts, pageShell } from './page.js';
import { overviewSection, timelineSection, topSection } from './sections.js';
import { utf8Length } from './utf8Length.js';

export interface HtmlOptions {
  /** the most the page may weigh, in bytes (default HTML_BUDGET_BYTES; tests set smaller ones) */
  budgetBytes?: number;
}

const bytes = utf8Length;

/**
 * One self-contained HTML file (`--format html`): overview, timeline, top actors and ports, then the
 * findings with their evidence. Works offline: the chart library (uPlot) and styles are inlined, a
 * Content-Security-Policy forbids any fetch, and every value from the input is escaped. The report's
 * traffic, when it has one (flowhawk report), adds records to the overview and the timeline. Whatever
 * the number of findings the page stays openable: the most severe of each detector in full, the others
 * a row each, and no more than the size budget (findingList.ts).
 */
export function* renderFindingsHtml(report: ScanReport, options: HtmlOptions = {}): Generator<string> {
  const findings = report.analysis.findings.filter((f) => report.showSuppressed || !f.suppressed);
  const budget = options.budgetBytes ?? HTML_BUDGET_BYTES;
  const timeline = timelineData(findings, report.traffic);
  const assets = uplotAssets();
  const sections = [
    overviewSection(report, findings),
    timelineSection(timeline !== null, timeline?.records != null),
    topSection(findings),
  ]
    .map((section) => section.text)
    .join('');
  const parts = (plan: FindingPlan | null): PageParts => ({
    title: `flowhawk report: ${findings.length} finding(s)`,
    // the list's styles are counted when measuring, and written only when the list needs them
    extraCss: plan === null || isCut(plan) ? assets.css + LIST_CSS : assets.css,
    header: header(report, findings, plan === null ? '' : topNotice(plan, budget)),
    footer: html`<footer>Self-contained report: no network requests. Charts drawn with uPlot (MIT), bundled in.${enrichmentFooter(report)}</footer>`,
    dataJson: jsonForScript({ version: report.version, generatedAt: report.generatedAt, timeline }),
    scripts: [assets.js, CLIENT_SCRIPT],
  });
  const measured = pageShell(parts(null));
  const fixed = bytes(measured.start) + bytes(sections) + bytes(measured.end) + LIST_RESERVE_BYTES;
  const plan = planFindings(findings, budget - fixed);
  const shell = pageShell(parts(plan));
  yield shell.start;
  yield sections;
  yield* findingListPieces(plan, findings.length);
  yield shell.end;
}

function header(report: ScanReport, findings: readonly Finding[], notice: SafeHtml | '') {
  return html`<header><h1>flowhawk report</h1>
<p>${findings.length} finding(s), generated ${report.generatedAt} by flowhawk ${report.version}.</p>
${notice}<nav><a href="#overview">Overview</a><a href="#timeline">Timeline</a><a href="#top">Top actors and ports</a><a href="#findings">Findings</a></nav></header>`;
}

/** The data sets that named address owners, with dates and the credit their licences ask for. */
function enrichmentFooter(report: ScanReport): SafeHtml | '' {
  const lines = namesOwners(report.analysis.findings) ? enrichmentLines(report.analysis.enrichment) : [];
  if (lines.length === 0) return '';
  return html`<br>Address owners from: ${lines.join('; ')}.`;
}
