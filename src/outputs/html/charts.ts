import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Finding, SEVERITIES, type Severity } from '../../finding.js';
import { bucketSize, TIMELINE_BUCKETS, type TrafficOverview } from '../../store/trafficOverview.js';
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
 * per severity present; flow records per bucket when the workspace's traffic is known.
 */
export function timelineData(findings: readonly Finding[], traffic?: TrafficOverview): TimelineData | null {
  const times = findings.flatMap((f) => [f.firstSeen, f.lastSeen]);
  if (traffic?.start != null && traffic.end != null) times.push(traffic.start, traffic.end);
  if (times.length === 0) return null;
  const start = Math.min(...times);
  const end = Math.max(...times);
  const size = traffic && traffic.buckets.length > 0 ? traffic.bucketSeconds : bucketSize(start, end);
  const first = Math.floor(start / size) * size;
  const n = Math.min(Math.floor((end - first) / size) + 1, TIMELINE_BUCKETS * 2);
  const t = Array.from({ length: n }, (_, i) => first + i * size);
  const severities = SEVERITIES.filter((s) => findings.some((f) => f.severity === s))
    .reverse()
    .map((severity) => ({
      label: severity,
      color: SEVERITY_COLORS[severity],
      values: t.map(
        (b) =>
          findings.filter((f) => f.severity === severity && f.firstSeen < b + size && f.lastSeen >= b).length,
      ),
    }));
  let records: number[] | null = null;
  if (traffic && traffic.buckets.length > 0) {
    const byTime = new Map(traffic.buckets.map((b) => [b.t, b.records]));
    records = t.map((b) => byTime.get(b) ?? 0);
  }
  return { t, bucketSeconds: size, severities, records };
}

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
