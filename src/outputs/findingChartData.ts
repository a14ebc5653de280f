import type { PortChart } from '../detectors/define.js';
import type { Finding } from '../finding.js';
import { knownProtocolName } from '../protocols.js';

/**
 * The numbers behind a finding's charts, parsed strictly from its metrics and evidence: anything that
 * is not a plain number is left out (the metrics table still shows it, as text). The HTML report draws
 * them as SVG (html/findingCharts.ts), the web page as DOM (web/charts.ts).
 */

/** A number as charts label it: one decimal below 100, none above. */
export const chartNumber = (n: number) => String(Number(n.toFixed(n < 100 ? 1 : 0)));
export const PORT_MAX = 65535;

/** A metric that is a finite number, or a string holding only one. */
export function numeric(value: number | string | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
}

export interface IntervalHistogram {
  binSeconds: number;
  /** intervals per bin from 0 to twice the median; the last bin holds all longer ones */
  counts: number[];
}

/** The beacon card's `intervalHistogram` ("0,0,3,…") and `histogramBinSeconds`, or null if malformed. */
export function intervalHistogram(f: Finding): IntervalHistogram | null {
  const text = f.metrics.intervalHistogram;
  const binSeconds = numeric(f.metrics.histogramBinSeconds);
  if (typeof text !== 'string' || binSeconds === null || binSeconds <= 0) return null;
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length < 2 || parts.length > 100 || !parts.every((p) => /^\d{1,9}$/.test(p))) return null;
  const counts = parts.map(Number);
  return counts.some((c) => c > 0) ? { binSeconds, counts } : null;
}

export type PortState = 'failed' | 'answered' | 'seen';

export interface PortCoverage {
  /** distinct ports drawn, ascending */
  ports: { port: number; protocol: string | null; state: PortState }[];
  /** distinct ports the finding says were touched (from its metrics), when known */
  total: number | null;
  /** where the drawn ports come from */
  source: 'metrics' | 'evidence';
}

/** "445/TCP, 3389/TCP" or "22 6379": the entries that are a valid port (and protocol), others dropped. */
function portLabels(value: number | string | undefined): { port: number; protocol: string | null }[] {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value <= PORT_MAX
      ? [{ port: value, protocol: null }]
      : [];
  if (typeof value !== 'string') return [];
  const out: { port: number; protocol: string | null }[] = [];
  for (const token of value.split(/[\s,]+/)) {
    const m = /^(\d{1,5})(?:\/([A-Za-z0-9-]{1,12}))?$/.exec(token);
    if (!m) continue;
    const port = Number(m[1]);
    if (port <= PORT_MAX) out.push({ port, protocol: m[2] ?? null });
  }
  return out;
}

/** The protocols whose records carry ports: only these are named beside a port. */
const PORT_PROTOCOLS = new Set([6, 17, 132]);
const portProtocol = (protocol: number | null | undefined): string | null =>
  protocol != null && PORT_PROTOCOLS.has(protocol) ? (knownProtocolName(protocol) ?? null) : null;

/**
 * Which ports a scanner touched. The port sweep and probe cards list every port in their metrics; the
 * port scan card only counts them, so its ports come from the evidence records (a sample: the first
 * records of the scan), with the metrics' count as the total. Which of these a finding gets is its
 * card's `portChart` (the HTML report reads the catalogue, the page /api/detectors); findings of other
 * cards get none.
 */
export function portCoverage(f: Finding, chart: PortChart | undefined): PortCoverage | null {
  if (chart === undefined) return null;
  const byPort = new Map<number, { port: number; protocol: string | null; state: PortState }>();
  let source: PortCoverage['source'] = 'metrics';
  let total: number | null = null;
  if (chart === 'services') {
    const reachable = new Set(portLabels(f.metrics.reachablePorts).map((p) => p.port));
    for (const p of portLabels(f.metrics.services))
      byPort.set(p.port, { ...p, state: reachable.has(p.port) ? 'answered' : 'failed' });
    total = byPort.size;
  } else if (chart === 'sweep') {
    const unanswered = String(f.metrics.unansweredPerPort ?? '').split(/[\s,]+/);
    portLabels(f.metrics.ports).forEach((p, i) => {
      byPort.set(p.port, { ...p, state: Number(unanswered[i]) > 0 ? 'failed' : 'seen' });
    });
    total = numeric(f.metrics.portCount) ?? byPort.size;
  }
  if (byPort.size === 0) {
    source = 'evidence';
    for (const r of f.evidence) {
      if (r.dstPort == null || !Number.isInteger(r.dstPort) || r.dstPort < 0 || r.dstPort > PORT_MAX)
        continue;
      const state: PortState = r.action === 'REJECT' ? 'failed' : 'seen';
      const known = byPort.get(r.dstPort);
      if (known && known.state !== 'failed') continue;
      byPort.set(r.dstPort, {
        port: r.dstPort,
        protocol: portProtocol(r.protocol),
        state,
      });
    }
    total = numeric(f.metrics.ports);
  }
  if (byPort.size === 0) return null;
  const ports = [...byPort.values()].sort((a, b) => a.port - b.port);
  return { ports, total: total === null ? null : Math.max(total, ports.length), source };
}
