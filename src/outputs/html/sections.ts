import { type EvidenceRecord, type Finding, SEVERITIES, type Severity, severityRank } from '../../finding.js';
import { protocolLabel } from '../../protocols.js';
import type { ScanReport } from '../../report.js';
import { ownerText } from '../ownerText.js';
import { isoSeconds } from '../textUnits.js';
import { html, type SafeHtml } from './escape.js';
import { findingCharts } from './findingCharts.js';

/** The report's sections, each a function of the report that returns escaped markup. */
const iso = (seconds: number | null | undefined) => (seconds == null ? '-' : isoSeconds(seconds));
const num = (n: number | null | undefined) => (n == null ? '-' : n.toLocaleString('en-US'));
const TOP = 10;

export function overviewSection(report: ScanReport, findings: readonly Finding[]) {
  const { ingest, traffic } = report;
  const span = ingest
    ? { start: ingest.timeSpan.start ?? '-', end: ingest.timeSpan.end ?? '-' }
    : traffic
      ? { start: iso(traffic.start), end: iso(traffic.end) }
      : findings.length > 0
        ? findingsSpan(findings)
        : { start: '-', end: '-' };
  const records = ingest?.records ?? traffic?.records;
  const interfaces = ingest?.interfaces ?? traffic?.interfaces;
  let suppressed = 0;
  for (const f of report.analysis.findings) if (f.suppressed) suppressed++;
  const facts: [string, string][] = [
    ['time span', `${span.start} → ${span.end}`],
    ['flow records', records == null ? 'not recorded in this report' : num(records)],
    ['interfaces', interfaces == null ? 'not recorded in this report' : num(interfaces)],
    ['connections', num(report.analysis.connections)],
    [
      'findings',
      `${num(findings.length)}${suppressed > 0 ? ` (${suppressed} suppressed by the allowlist)` : ''}`,
    ],
  ];
  if (ingest) facts.splice(1, 0, ['files read', `${num(ingest.files)} (${num(ingest.badLines)} bad lines)`]);
  const bySeverity = new Map<Severity, number>();
  for (const f of findings) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  const counts = [...SEVERITIES].reverse().map((s) => ({ s, n: bySeverity.get(s) ?? 0 }));
  const skipped = report.analysis.detectors.filter((d) => d.skipped || d.note);
  return html`<section id="overview"><h2>Overview</h2>
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<ul class="severity-counts">${counts.map(
    ({ s, n }) =>
      html`<li class="sev sev-${s}" data-severity="${s}"><span class="count">${n}</span> ${s}</li>`,
  )}</ul>
${
  skipped.length > 0
    ? html`<details class="detectors"><summary>${skipped.length} detector(s) did not run or could not judge everything</summary><ul>${skipped.map(
        (d) => html`<li><code>${d.id}</code>: ${d.skipped ?? d.note}</li>`,
      )}</ul></details>`
    : ''
}
</section>`;
}

/** First and last seen over the findings, in a loop: a spread of 150,000 arguments overflows the stack. */
function findingsSpan(findings: readonly Finding[]) {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const f of findings) {
    // Math.min and Math.max, as the spread was: a NaN anywhere stays NaN
    first = Math.min(first, f.firstSeen);
    last = Math.max(last, f.lastSeen);
  }
  return { start: iso(first), end: `${iso(last)} (from the findings)` };
}

export function timelineSection(hasTimeline: boolean, withTraffic: boolean) {
  return html`<section id="timeline"><h2>Timeline</h2>
<p class="note">${
    hasTimeline
      ? `Findings active in each time bucket, by severity${withTraffic ? ', and flow records' : ''} (UTC).`
      : 'No timestamps to draw.'
  }</p>
<div id="fh-timeline" class="chart"></div>
<noscript>The chart needs JavaScript; every finding is listed below.</noscript>
</section>`;
}

/** A table of name → value rows with a bar proportional to the value (CSS only). */
function barTable(
  caption: string,
  headers: [string, string, string],
  rows: [SafeHtml | string, number, string][],
) {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return html`<table class="bars"><caption>${caption}</caption>
<thead><tr><th>${headers[0]}</th><th>${headers[1]}</th><th>${headers[2]}</th></tr></thead>
<tbody>${rows.map(
    ([name, n, extra]) =>
      html`<tr><td>${name}</td><td class="num"><span class="bar" style="width:${Math.round((n / max) * 100)}%"></span>${num(n)}</td><td>${extra}</td></tr>`,
  )}</tbody></table>`;
}

export function topSection(findings: readonly Finding[]) {
  // one entry per actor, however many findings: lists and counters, not sets, keep each small
  const actors = new Map<
    string,
    { findings: number; connections: number; worst: Finding; detectors: string[] }
  >();
  for (const f of findings) {
    const a = actors.get(f.actor) ?? { findings: 0, connections: 0, worst: f, detectors: [] };
    a.findings++;
    a.connections += f.count;
    if (!a.detectors.includes(f.detector)) a.detectors.push(f.detector);
    if (severityRank(f.severity) > severityRank(a.worst.severity)) a.worst = f;
    actors.set(f.actor, a);
  }
  const topActors = [...actors.entries()]
    .sort(
      ([, a], [, b]) =>
        severityRank(b.worst.severity) - severityRank(a.worst.severity) || b.connections - a.connections,
    )
    .slice(0, TOP);
  // each finding comes once, its records together: counting it when it is not the port's last one
  // counts distinct findings per port without holding a set of their ids
  const ports = new Map<string, { records: number; findings: number; last: Finding | null }>();
  for (const f of findings) {
    for (const r of f.evidence) {
      if (r.dstPort == null) continue;
      const key = `${r.dstPort}/${r.protocol == null ? '?' : protocolLabel(r.protocol)}`;
      const p = ports.get(key) ?? { records: 0, findings: 0, last: null };
      p.records++;
      if (p.last !== f) p.findings++;
      p.last = f;
      ports.set(key, p);
    }
  }
  const topPorts = [...ports.entries()].sort(([, a], [, b]) => b.records - a.records).slice(0, TOP);
  return html`<section id="top"><h2>Top actors and ports</h2><div class="two">
${barTable(
  'Actors, by worst severity then connections',
  ['actor', 'connections', 'findings'],
  topActors.map(([actor, a]) => [
    html`<a href="#finding-${a.worst.id}">${actor}</a>`,
    a.connections,
    `${a.findings} (${a.detectors.join(', ')}; worst ${a.worst.severity})`,
  ]),
)}
${barTable(
  'Destination ports in the evidence records',
  ['port', 'evidence records', 'findings'],
  topPorts.map(([port, p]) => [port, p.records, String(p.findings)]),
)}
</div></section>`;
}

function keyValues(caption: string, entries: [string, number | string][], bars: boolean) {
  if (entries.length === 0) return '';
  return html`<table class="kv"><caption>${caption}</caption><tbody>${entries.map(
    ([k, v]) =>
      html`<tr><th scope="row">${k}</th><td class="num">${
        bars && typeof v === 'number'
          ? html`<span class="bar" style="width:${Math.round(Math.min(1, Math.max(0, v)) * 100)}%"></span>`
          : ''
      }${typeof v === 'number' ? String(v) : v}</td></tr>`,
  )}</tbody></table>`;
}

function evidenceTable(evidence: readonly EvidenceRecord[]) {
  if (evidence.length === 0) return html`<p class="note">No evidence records.</p>`;
  const endpoint = (addr: string | null, port: number | null) =>
    `${addr ?? '-'}${port == null ? '' : `:${port}`}`;
  return html`<table class="evidence"><caption>Evidence records (${evidence.length})</caption>
<thead><tr><th>file:line</th><th>start (UTC)</th><th>source</th><th>destination</th><th>protocol</th><th>packets</th><th>bytes</th><th>action / status</th><th>tcp flags</th><th>interface</th><th>flow direction</th></tr></thead>
<tbody>${evidence.map(
    (r) =>
      html`<tr class="evidence-row"><td class="file">${r.file}:${r.line}</td><td>${iso(r.start)}</td><td>${endpoint(r.srcAddr, r.srcPort)}</td><td>${endpoint(r.dstAddr, r.dstPort)}</td><td>${r.protocol == null ? '-' : protocolLabel(r.protocol)}</td><td class="num">${num(r.packets)}</td><td class="num">${num(r.bytes)}</td><td>${r.action ?? r.logStatus ?? '-'}</td><td>${r.tcpFlags ?? '-'}</td><td>${r.interfaceId ?? '-'}</td><td>${r.flowDirection ?? '-'}</td></tr>`,
  )}</tbody></table>`;
}

/** Sources listed per finding in the report; the JSON output holds every one. */
const SHOWN_SOURCES = 20;

function sourcesTable(sources: Finding['sources']) {
  if (!sources || sources.length === 0) return '';
  const shown = sources.slice(0, SHOWN_SOURCES);
  const volumes = shown.some((s) => s.packets !== undefined);
  const more =
    sources.length > shown.length ? `; the first ${shown.length} here, all in the JSON output` : '';
  return html`<table class="evidence sources"><caption>${num(sources.length)} source(s), busiest first${more}</caption>
<thead><tr><th>source</th><th>owner</th><th>connections</th>${volumes ? html`<th>packets</th><th>bytes</th>` : html`<th>severity</th>`}<th>seen (UTC)</th></tr></thead>
<tbody>${shown.map(
    (s) =>
      html`<tr class="source-row"><td>${s.actor}</td><td>${ownerText(s.owner) || '-'}</td><td class="num">${num(s.count)}</td>${
        volumes
          ? html`<td class="num">${num(s.packets ?? 0)}</td><td class="num">${num(s.bytes ?? 0)}</td>`
          : html`<td>${s.severity ?? '-'}</td>`
      }<td>${iso(s.firstSeen)} → ${iso(s.lastSeen)}</td></tr>`,
  )}</tbody></table>`;
}

export function findingSection(f: Finding) {
  return html`<article class="finding sev-${f.severity}${f.suppressed ? ' suppressed' : ''}" id="finding-${f.id}" data-finding-id="${f.id}" data-severity="${f.severity}">
<h3><span class="badge sev-${f.severity}">${f.severity}</span> <span class="detector">${f.detector}</span>: <span class="actor">${f.actor}</span>${
    f.target ? html` → <span class="target">${f.target}</span>` : html` → ${f.targetCount} hosts`
  }</h3>
<p class="explanation">${f.explanation}</p>
<dl class="facts">
<dt>title</dt><dd>${f.title}</dd>
<dt>seen</dt><dd>${iso(f.firstSeen)} → ${iso(f.lastSeen)}</dd>
<dt>connections</dt><dd>${num(f.count)}</dd>
<dt>confidence</dt><dd>${f.confidence}</dd>
<dt>direction</dt><dd>${f.direction}</dd>${
    f.actorOwner
      ? html`
<dt>actor's owner</dt><dd>${ownerText(f.actorOwner)}</dd>`
      : ''
  }${
    f.targetOwner
      ? html`
<dt>target's owner</dt><dd>${ownerText(f.targetOwner)}</dd>`
      : ''
  }
<dt>ATT&amp;CK</dt><dd>${f.attack.join(', ')}</dd>
<dt>id</dt><dd><code>${f.id}</code></dd>
</dl>
${f.suppressed ? html`<p class="suppression">Suppressed by allowlist entry ${f.suppressed.rule}: ${f.suppressed.reason}</p>` : ''}
<div class="two">${keyValues('Sub-scores (0–1)', Object.entries(f.subScores), true)}${keyValues('Metrics', Object.entries(f.metrics), false)}</div>
${sourcesTable(f.sources)}
${findingCharts(f)}
${
  f.limitations.length > 0
    ? html`<ul class="limitations">${f.limitations.map((l) => html`<li>limited: ${l}</li>`)}</ul>`
    : ''
}
<details class="evidence-block"${f.evidence.length <= 20 ? html` open` : ''}><summary>Evidence records</summary>${evidenceTable(f.evidence)}</details>
</article>`;
}
