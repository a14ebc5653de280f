import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Finding, SEVERITIES, type Severity } from '../../finding.js';
import type { TrafficOverview } from '../../report.js';
import { bucketSize, TIMELINE_BUCKETS } from '../../store/trafficOverview.js';
import { SEVERITY_COLORS } from '../severityPalette.js';

/** Data for the timeline chart: bucket starts, findings active per severity, and traffic if known. */
export interface TimelineData {
  t: number[];
  bucketSeconds: number;
  severities: { label: Severity; color: string; values: number[] }[];
  records: number[] | null;
}

/**
 * Findings active in each bucket (first seen ≤ bucket end and last seen ≥ bucket start), one series
 * per severity present; flow records per bucket when the workspace's traffic is known. One pass over
 * the findings: each adds its span of buckets to a running sum, however many findings there are.
 */
export function timelineData(findings: readonly Finding[], traffic?: TrafficOverview): TimelineData | null {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  // Math.min and Math.max pairwise, as over a spread of every time: a NaN anywhere stays NaN
  for (const f of findings) {
    start = Math.min(start, f.firstSeen, f.lastSeen);
    end = Math.max(end, f.firstSeen, f.lastSeen);
  }
  const hasTraffic = traffic?.start != null && traffic.end != null;
  if (traffic?.start != null && traffic.end != null) {
    start = Math.min(start, traffic.start, traffic.end);
    end = Math.max(end, traffic.start, traffic.end);
  }
  if (findings.length === 0 && !hasTraffic) return null;
  const size = traffic && traffic.buckets.length > 0 ? traffic.bucketSeconds : bucketSize(start, end);
  const first = Math.floor(start / size) * size;
  const n = Math.min(Math.floor((end - first) / size) + 1, TIMELINE_BUCKETS * 2);
  const t = Array.from({ length: n }, (_, i) => first + i * size);
  const active = new Map<Severity, number[]>();
  for (const f of findings) {
    const counts = active.get(f.severity) ?? new Array<number>(t.length + 1).fill(0);
    active.set(f.severity, counts);
    const span = bucketSpan(t, size, f);
    if (span === null) continue;
    counts[span[0]] = (counts[span[0]] ?? 0) + 1;
    counts[span[1] + 1] = (counts[span[1] + 1] ?? 0) - 1;
  }
  const severities = [...SEVERITIES].reverse().flatMap((severity) => {
    const deltas = active.get(severity);
    if (!deltas) return [];
    let running = 0;
    const values = t.map((_, i) => (running += deltas[i] ?? 0));
    return [{ label: severity, color: SEVERITY_COLORS[severity], values }];
  });
  let records: number[] | null = null;
  if (traffic && traffic.buckets.length > 0) {
    const byTime = new Map(traffic.buckets.map((b) => [b.t, b.records]));
    records = t.map((b) => byTime.get(b) ?? 0);
  }
  return { t, bucketSeconds: size, severities, records };
}

/**
 * The first and last bucket a finding is active in, or null: bucket i holds it when firstSeen <
 * t[i] + size and lastSeen ≥ t[i]. Both conditions are monotonic in i, so each bound is found by
 * division and then nudged until it meets its condition exactly, as the comparisons are made.
 */
function bucketSpan(t: readonly number[], size: number, f: Finding): [number, number] | null {
  const n = t.length;
  const startsBefore = (i: number) => f.firstSeen < (t[i] as number) + size;
  const endsAfter = (i: number) => f.lastSeen >= (t[i] as number);
  const first = t[0] as number;
  let lo = clamp(Math.floor((f.firstSeen - first) / size), 0, n);
  while (lo > 0 && startsBefore(lo - 1)) lo--;
  while (lo < n && !startsBefore(lo)) lo++;
  let hi = clamp(Math.floor((f.lastSeen - first) / size), -1, n - 1);
  while (hi < n - 1 && endsAfter(hi + 1)) hi++;
  while (hi >= 0 && !endsAfter(hi)) hi--;
  return lo <= hi ? [lo, hi] : null;
}

/** NaN (a finding without times) clamps to the low end; its comparisons are false, so it is never active. */
const clamp = (x: number, low: number, high: number) =>
  Number.isNaN(x) ? low : Math.min(high, Math.max(low, x));

const require = createRequire(import.meta.url);
let bundled: { js: string; css: string } | undefined;

/** uPlot's minified browser build and stylesheet, read from node_modules and inlined in the page. */
export function uplotAssets(): { js: string; css: string } {
  bundled ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return bundled;
}

/**
 * The page's own script: reads the JSON data block and draws the timeline. Static text: no value
 * from the input is ever written into it.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var el = document.getElementById('fh-timeline');
  var block = document.getElementById('fh-data');
  if (!el || !block || typeof uPlot === 'undefined') return;
  var data = JSON.parse(block.textContent || '{}');
  var tl = data.timeline;
  if (!tl) return;
  var series = [{ label: 'time (UTC)' }];
  var values = [tl.t];
  tl.severities.forEach(function (s) {
    series.push({ label: s.label + ' findings', stroke: s.color, fill: s.color + '33', width: 2,
      scale: 'findings', paths: uPlot.paths.stepped({ align: 1 }) });
    values.push(s.values);
  });
  var axes = [{}, { scale: 'findings', label: 'active findings' }];
  if (tl.records) {
    series.push({ label: 'flow records', stroke: '#0f766e', width: 1, scale: 'records' });
    values.push(tl.records);
    axes.push({ scale: 'records', side: 1, label: 'flow records', grid: { show: false } });
  }
  var opts = {
    width: Math.max(320, el.clientWidth || 900), height: 280, series: series, axes: axes,
    scales: { x: { time: true }, findings: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
    tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); }
  };
  new uPlot(opts, values, el);
  el.setAttribute('data-rendered', 'true');
})();
`;
