import type { TrafficOverview } from '../../store/trafficOverview.js';
import type { ScanReport } from '../scanReport.js';
import { CLIENT_SCRIPT, timelineData, uplotAssets } from './charts.js';
import { html, jsonForScript } from './escape.js';
import { page } from './page.js';
import { findingsSection, overviewSection, timelineSection, topSection } from './sections.js';

export interface HtmlOptions {
  /** the workspace's traffic, when known (flowhawk report): adds records to the overview and timeline */
  traffic?: TrafficOverview;
}

/**
 * One self-contained HTML file (`--format html`): overview, timeline, top actors and ports, then
 * every finding with its evidence. Works offline: the chart library (uPlot) and styles are inlined,
 * a Content-Security-Policy forbids any fetch, and every value from the input is escaped.
 */
export function renderFindingsHtml(report: ScanReport, options: HtmlOptions = {}): string {
  const findings = report.analysis.findings.filter((f) => report.showSuppressed || !f.suppressed);
  const timeline = timelineData(findings, options.traffic);
  const assets = uplotAssets();
  return page({
    title: `flowhawk report: ${findings.length} finding(s)`,
    extraCss: assets.css,
    header: html`<header><h1>flowhawk report</h1>
<p>${findings.length} finding(s), generated ${report.generatedAt} by flowhawk ${report.version}.</p>
<nav><a href="#overview">Overview</a><a href="#timeline">Timeline</a><a href="#top">Top actors and ports</a><a href="#findings">Findings</a></nav></header>`,
    body: [
      overviewSection(report, findings, options.traffic),
      timelineSection(timeline !== null, timeline?.records != null),
      topSection(findings),
      findingsSection(findings),
    ],
    footer: html`<footer>Self-contained report: no network requests. Charts drawn with uPlot (MIT), bundled in.</footer>`,
    dataJson: jsonForScript({ version: report.version, generatedAt: report.generatedAt, timeline }),
    scripts: [assets.js, CLIENT_SCRIPT],
  });
}
