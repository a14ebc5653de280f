/**
 * Charts: the traffic timeline with uPlot (drawn once its box has a width, resized with it), bar
 * tables for top talkers and ports, a beacon's interval histogram and a scanner's port coverage. Bar sizes are set through
 * the CSSOM (element.style), which the page's CSP allows; no style attribute is ever written.
 */
import uPlot from 'uplot';
import type { PortChart } from '../src/detectors/define.js';
import type { Finding } from '../src/finding.js';
import {
  chartNumber as fmt,
  intervalHistogram,
  PORT_MAX,
  portCoverage,
} from '../src/outputs/findingChartData.js';
import type { TrafficOverview } from '../src/report.js';
import { bar, type Child, h } from './dom.js';
import { bytes, isoSeconds, num } from './format.js';

const day = (t: number | undefined) => (t === undefined ? '' : isoSeconds(t).slice(0, 10));

/** Tick labels in UTC, 24-hour, as precise as the tick spacing needs: `00:01:30`, `03-11 06:00`, `2024-03-11`. */
export function timeTicks(splits: readonly number[], spacing: number): string[] {
  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  const oneDay = splits.length > 0 && splits.every((t) => day(t) === day(splits[0] ?? 0));
  return splits.map((t) => {
    const iso = new Date(t * 1000).toISOString();
    if (spacing >= 86400) return iso.slice(0, 10);
    if (spacing < 60) return iso.slice(11, 19);
    return oneDay ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  });
}

export function timelineChart(el: HTMLElement, traffic: TrafficOverview, signal: AbortSignal): void {
  const buckets = traffic.buckets;
  if (buckets.length === 0) {
    el.append(h('p', { class: 'note' }, 'No timestamps to draw.'));
    return;
  }
  // each bucket drawn as a step over its whole width: one more point where the last bucket ends
  const last = buckets[buckets.length - 1] ?? { t: 0, records: 0, bytes: 0 };
  const data: uPlot.AlignedData = [
    [...buckets.map((b) => b.t), last.t + traffic.bucketSeconds],
    [...buckets.map((b) => b.records), last.records],
    [...buckets.map((b) => b.bytes), last.bytes],
  ];
  const stepped = uPlot.paths.stepped?.({ align: 1 });
  let chart: uPlot | null = null;
  const height = 260;
  const draw = (width: number) => {
    if (width <= 0) return;
    if (chart) {
      chart.setSize({ width, height });
      return;
    }
    chart = new uPlot(
      {
        width,
        height,
        series: [
          { label: 'bucket start (UTC)', value: (_u, v) => (v == null ? '-' : isoSeconds(v)) },
          {
            label: 'flow records',
            stroke: '#0f766e',
            fill: '#0f766e22',
            width: 2,
            scale: 'records',
            paths: stepped,
            value: (_u, v) => (v == null ? '-' : num(v)),
          },
          {
            label: 'bytes',
            stroke: '#2563eb',
            width: 1,
            scale: 'bytes',
            paths: stepped,
            value: (_u, v) => (v == null ? '-' : bytes(v)),
          },
        ],
        axes: [
          {
            values: (_u, splits, _axis, _space, spacing) => timeTicks(splits, spacing),
            space: 80,
            label: `UTC, ${day(buckets[0]?.t)}${day(buckets[0]?.t) === day(last.t) ? '' : ` to ${day(last.t)}`}`,
          },
          { scale: 'records', label: 'flow records', size: 60 },
          {
            scale: 'bytes',
            side: 1,
            label: 'bytes',
            size: 70,
            grid: { show: false },
            values: (_u, splits) => splits.map((v) => bytes(v)),
          },
        ],
        // ticks fall on whole UTC minutes and hours whatever the browser's time zone
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: {
          x: { time: true },
          records: { range: (_u, _min, max) => [0, Math.max(1, max)] },
          bytes: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
      },
      data,
      el,
    );
    el.setAttribute('data-rendered', 'true');
  };
  const observer = new ResizeObserver((entries) => {
    const width = Math.floor(entries[0]?.contentRect.width ?? 0);
    draw(Math.max(320, width));
  });
  observer.observe(el);
  signal.addEventListener('abort', () => {
    observer.disconnect();
    (chart as uPlot | null)?.destroy();
  });
}

export interface BarRow {
  name: Child;
  value: number;
  /** how the value is written (defaults to a number) */
  text?: string;
  extra?: Child;
}

/** A table of name → value with a bar proportional to the value, like the HTML report's. */
export function barTable(
  caption: string,
  headers: [string, string, string?],
  rows: readonly BarRow[],
  id?: string,
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'note' }, `${caption}: nothing to show.`);
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h(
    'table',
    { class: 'bars', id },
    h('caption', null, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, headers[0]),
        h('th', { class: 'num' }, headers[1]),
        headers[2] ? h('th', null, headers[2]) : null,
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          null,
          h('td', null, r.name),
          h(
            'td',
            { class: 'num barcell' },
            bar(r.value / max),
            h('span', { class: 'value' }, r.text ?? num(r.value)),
          ),
          headers[2] ? h('td', null, r.extra ?? '') : null,
        ),
      ),
    ),
  );
}

/** The beacon's interval histogram (metrics `intervalHistogram` "0,0,3,…" and `histogramBinSeconds`). */
export function intervalHistogramChart(f: Finding): HTMLElement | null {
  const data = intervalHistogram(f);
  if (!data) return null;
  const { counts, binSeconds: bin } = data;
  const max = Math.max(...counts);
  const label = (i: number) =>
    i === counts.length - 1 ? `≥${fmt(i * bin)}` : `${fmt(i * bin)}–${fmt((i + 1) * bin)}`;
  const columns = counts.map((c, i) => {
    const column = h('span', { class: 'col' });
    column.style.height = `${((c / max) * 100).toFixed(1)}%`;
    return h(
      'span',
      { class: 'hist-bin', 'data-count': c, title: `${label(i)} s: ${c} interval(s)` },
      h('span', { class: 'count' }, c > 0 ? String(c) : ''),
      h('span', { class: 'col-track' }, column),
      h('span', { class: 'bin-label' }, label(i)),
    );
  });
  return h(
    'figure',
    { class: 'finding-chart interval-histogram', 'data-chart': 'interval-histogram' },
    h('div', { class: 'hist' }, columns),
    h(
      'figcaption',
      null,
      `Intervals between connections in ${fmt(bin)} s buckets (seconds); a regular beacon piles up in one or two bars.`,
    ),
  );
}

/** Port axis on a log scale, in percent of the strip: ports 1–1023 get as much room as 1024–65535. */
const portPercent = (port: number) => (Math.log10(port + 1) / Math.log10(PORT_MAX + 1)) * 100;

/** A scanner's ports on a strip over the port range: red failed, green answered, blue seen. */
export function portCoverageChart(f: Finding, chart: PortChart | undefined): HTMLElement | null {
  const data = portCoverage(f, chart);
  if (!data) return null;
  const place = (el: HTMLElement, from: number, to?: number) => {
    el.style.left = `${portPercent(from).toFixed(2)}%`;
    if (to !== undefined) el.style.width = `${(portPercent(to) - portPercent(from)).toFixed(2)}%`;
    return el;
  };
  const bands = (
    [
      [0, 1023, 'well-known'],
      [1024, 49151, 'registered'],
      [49152, PORT_MAX, 'dynamic'],
    ] as const
  ).map(([from, to, name]) => place(h('span', { class: `band band-${name}` }, name), from, to));
  const ticks = data.ports.map((p) =>
    place(
      h('span', {
        class: `port-tick ${p.state}`,
        'data-port': p.port,
        title: `${p.port}${p.protocol ? `/${p.protocol}` : ''} (${p.state})`,
      }),
      p.port,
    ),
  );
  const axis = [1, 10, 100, 1024, 10000, PORT_MAX].map((t) =>
    place(h('span', { class: 'axis-tick' }, String(t)), t),
  );
  const shown = data.ports.length;
  const list = data.ports
    .slice(0, 12)
    .map((p) => p.port)
    .join(', ');
  const more = shown > 12 ? ` and ${shown - 12} more` : '';
  const caption =
    data.source === 'evidence' && data.total !== null && data.total > shown
      ? `${num(data.total)} distinct ports touched; the ${shown} in the evidence records are drawn (${list}${more}).`
      : `${shown} distinct port(s): ${list}${more}.`;
  return h(
    'figure',
    { class: 'finding-chart port-coverage', 'data-chart': 'port-coverage' },
    h('div', { class: 'port-strip' }, bands, ticks),
    h('div', { class: 'port-axis' }, axis),
    h(
      'figcaption',
      null,
      `Port coverage, log scale: ${caption} Red: failed or rejected; green: answered; blue: accepted or probed.`,
    ),
  );
}
