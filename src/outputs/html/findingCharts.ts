import type { PortChart } from '../../detectors/define.js';
import { DETECTORS } from '../../detectors/index.js';
import type { Finding } from '../../finding.js';
import {
  chartNumber as fmt,
  type IntervalHistogram,
  intervalHistogram,
  PORT_MAX,
  type PortCoverage,
  type PortState,
  portCoverage,
} from '../findingChartData.js';
import { html, type SafeHtml } from './escape.js';

/**
 * Per-finding charts, drawn as small inline SVG on the server: no script, no fetch, and every value
 * written into the markup goes through the `html` tag. The numbers come from findingChartData.ts.
 */

const W = 640;
const STATE_COLORS: Record<PortState, string> = { failed: '#dc2626', answered: '#16a34a', seen: '#2563eb' };

/** Bars per interval bucket, the median marked: a beacon's check-ins pile up in one or two bars. */
function histogramSvg(h: IntervalHistogram): SafeHtml {
  const n = h.counts.length;
  const top = 28;
  const plotH = 110;
  const left = 36;
  const barW = (W - left - 8) / n;
  const max = Math.max(...h.counts);
  // bins are a fifth of the median wide: the median is the left edge of bin 5
  const medianX = left + Math.min(5, n) * barW;
  const label = (i: number) =>
    i === n - 1 ? `≥${fmt(i * h.binSeconds)}` : `${fmt(i * h.binSeconds)}–${fmt((i + 1) * h.binSeconds)}`;
  const bars = h.counts.map((c, i) => {
    const bh = max > 0 ? (c / max) * plotH : 0;
    const x = left + i * barW;
    return html`<g class="bucket" data-bin="${i}" data-count="${c}"><title>${label(i)} s: ${c} interval(s)</title><rect class="count-bar" x="${(x + 2).toFixed(1)}" y="${(top + plotH - bh).toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="#d97706"></rect>${c > 0 ? html`<text x="${(x + barW / 2).toFixed(1)}" y="${(top + plotH - bh - 3).toFixed(1)}" text-anchor="middle" font-size="10">${c}</text>` : ''}<text x="${(x + barW / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" font-size="9" fill="#6b7280">${label(i)}</text></g>`;
  });
  return html`<svg class="histogram" role="img" viewBox="0 0 ${W} ${top + plotH + 36}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>Intervals between connections, ${fmt(h.binSeconds)} s buckets</title>
<line x1="${left}" y1="${top + plotH}" x2="${W - 8}" y2="${top + plotH}" stroke="#9ca3af"></line>
<text x="${left - 4}" y="${top + 8}" text-anchor="end" font-size="10" fill="#6b7280">${max}</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end" font-size="10" fill="#6b7280">0</text>
${bars}
<line class="median" x1="${medianX.toFixed(1)}" y1="${top - 18}" x2="${medianX.toFixed(1)}" y2="${top + plotH}" stroke="#111827" stroke-dasharray="3 3"></line><text x="${(medianX + 4).toFixed(1)}" y="${top - 18}" font-size="10">median</text>
<text x="${(left + W - 8) / 2}" y="${top + plotH + 32}" text-anchor="middle" font-size="10" fill="#6b7280">interval between connections (s)</text></svg>`;
}

/** Port axis on a log scale, so ports 1–1023 get as much room as 1024–65535. */
const portX = (port: number, left: number, width: number) =>
  left + (Math.log10(port + 1) / Math.log10(PORT_MAX + 1)) * width;

/** A strip over the port range: one tick per port touched, on bands for well-known, registered, dynamic. */
function portStripSvg(c: PortCoverage): SafeHtml {
  const left = 12;
  const width = W - 24;
  const top = 8;
  const stripH = 34;
  const bands: [number, number, string, string][] = [
    [0, 1023, '#f3f4f6', 'well-known'],
    [1024, 49151, '#e5e7eb', 'registered'],
    [49152, PORT_MAX, '#f3f4f6', 'dynamic'],
  ];
  const ticks = [1, 10, 100, 1024, 10000, PORT_MAX];
  return html`<svg class="port-strip" role="img" viewBox="0 0 ${W} ${top + stripH + 40}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>Destination ports touched, on a log scale</title>
${bands.map(([from, to, fill, name]) => {
  const x1 = portX(from, left, width);
  const x2 = portX(to, left, width);
  return html`<rect x="${x1.toFixed(1)}" y="${top}" width="${(x2 - x1).toFixed(1)}" height="${stripH}" fill="${fill}"></rect><text x="${((x1 + x2) / 2).toFixed(1)}" y="${top + stripH + 30}" text-anchor="middle" font-size="9" fill="#9ca3af">${name}</text>`;
})}
${c.ports.map(
  (p) =>
    html`<line class="port" data-port="${p.port}" data-state="${p.state}" x1="${portX(p.port, left, width).toFixed(1)}" y1="${top}" x2="${portX(p.port, left, width).toFixed(1)}" y2="${top + stripH}" stroke="${STATE_COLORS[p.state]}" stroke-width="3"><title>${p.port}${p.protocol ? `/${p.protocol}` : ''} (${p.state})</title></line>${c.ports.length <= 4 ? html`<text x="${(portX(p.port, left, width) + 4).toFixed(1)}" y="${top + 12}" font-size="10">${p.port}</text>` : ''}`,
)}
${ticks.map((t) => {
  const x = portX(t, left, width);
  return html`<line x1="${x.toFixed(1)}" y1="${top + stripH}" x2="${x.toFixed(1)}" y2="${top + stripH + 4}" stroke="#9ca3af"></line><text x="${x.toFixed(1)}" y="${top + stripH + 15}" text-anchor="${t === PORT_MAX ? 'end' : 'middle'}" font-size="10" fill="#6b7280">${t}</text>`;
})}</svg>`;
}

function portCaption(c: PortCoverage): string {
  const shown = c.ports.length;
  const states = (['failed', 'answered', 'seen'] as const)
    .map((s) => [s, c.ports.filter((p) => p.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s === 'seen' ? (c.source === 'evidence' ? 'accepted' : 'probed') : s}`)
    .join(', ');
  const list = c.ports
    .slice(0, 12)
    .map((p) => p.port)
    .join(', ');
  const more = shown > 12 ? ` and ${shown - 12} more` : '';
  if (c.source === 'evidence' && c.total !== null && c.total > shown)
    return `Port coverage: ${c.total} distinct ports touched; the ${shown} in the evidence records are drawn (${list}${more}; ${states}).`;
  return `Port coverage: ${shown} distinct port(s) (${list}${more}; ${states}).`;
}

const PORT_CHARTS: ReadonlyMap<string, PortChart | undefined> = new Map(
  DETECTORS.map((d) => [d.id, d.portChart]),
);

/** The charts that help read this finding, or nothing. */
export function findingCharts(f: Finding): SafeHtml | '' {
  const figures: SafeHtml[] = [];
  const hist = intervalHistogram(f);
  if (hist) {
    const peak = hist.counts.indexOf(Math.max(...hist.counts));
    figures.push(
      html`<figure class="finding-chart interval-histogram" data-chart="interval-histogram" data-bin-seconds="${hist.binSeconds}" data-counts="${hist.counts.join(',')}">${histogramSvg(hist)}<figcaption>Interval histogram: ${hist.counts.reduce((a, b) => a + b, 0)} intervals in ${fmt(hist.binSeconds)} s buckets up to twice the median; most fall in ${peak === hist.counts.length - 1 ? 'the last (longer)' : `the ${fmt(peak * hist.binSeconds)}–${fmt((peak + 1) * hist.binSeconds)} s`} bucket. A regular beacon piles up in one or two bars.</figcaption></figure>`,
    );
  }
  const ports = portCoverage(f, PORT_CHARTS.get(f.detector));
  if (ports) {
    figures.push(
      html`<figure class="finding-chart port-coverage" data-chart="port-coverage" data-ports="${ports.ports.map((p) => p.port).join(',')}" data-source="${ports.source}"${ports.total !== null ? html` data-total="${ports.total}"` : ''}>${portStripSvg(ports)}<figcaption>${portCaption(ports)} Red: failed or rejected; green: answered; blue: ${ports.source === 'evidence' ? 'accepted' : 'probed'}.</figcaption></figure>`,
    );
  }
  return figures.length > 0 ? html`<div class="finding-charts">${figures}</div>` : '';
}
