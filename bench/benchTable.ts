/**
 * The bench's readable output: one table with a column per corpus and a row per figure (so three
 * sizes of two variants still fit a terminal), and the targets with met / not met.
 */
import { sizeLabel } from './benchCorpus.js';
import type { RunResult } from './benchRun.js';
import type { TargetResult } from './benchTargets.js';

type Cell = string | number | null | undefined;
type Row = [label: string, cells: (run: RunResult) => Cell];

const seconds = (n: number | null | undefined): string => (n == null ? '-' : n.toFixed(2));
const times = (a: number | null | undefined, zcat: number): string =>
  a == null || zcat <= 0 ? '-' : `${(a / zcat).toFixed(2)}x`;
const count = (n: number | null | undefined): string => (n == null ? '-' : n.toLocaleString('en-US'));
const mib = (n: number | null | undefined): string => (n == null ? '-' : n.toFixed(0));
const perMillion = (s: number | null | undefined, records: number): string =>
  s == null ? '-' : (s / (records / 1e6)).toFixed(2);

// biome-ignore format: one figure per line
const ROWS: readonly Row[] = [
  ['records', (r) => count(r.records)],
  ['files', (r) => count(r.corpus.files)],
  ['gzip MB', (r) => (r.corpus.bytesCompressed / 1e6).toFixed(1)],
  ['zcat s', (r) => seconds(r.zcatSeconds)],
  ['ingest into workspace s', (r) => seconds(r.ingest?.seconds)],
  ['  / zcat', (r) => times(r.ingest?.seconds, r.zcatSeconds)],
  ['  CPU s', (r) => seconds(r.ingest?.cpuSeconds)],
  ['  peak RSS MiB', (r) => mib(r.ingest?.peakRssMb)],
  ['  workspace MB', (r) => (r.ingest?.workspaceBytes == null ? '-' : (r.ingest.workspaceBytes / 1e6).toFixed(1))],
  ['scan in memory s', (r) => seconds(r.scan?.seconds)],
  ['  / zcat', (r) => times(r.scan?.seconds, r.zcatSeconds)],
  ['  CPU s', (r) => seconds(r.scan?.cpuSeconds)],
  ['  peak RSS MiB', (r) => mib(r.scan?.peakRssMb)],
  ['  connections', (r) => count(r.scan?.connections)],
  ['  findings', (r) => count(r.scan?.findings)],
  ['stage read (in-memory ingest) s', (r) => seconds(r.scan?.stages?.read)],
  ['  / zcat', (r) => times(r.scan?.stages?.read, r.zcatSeconds)],
  ['stage connections s', (r) => seconds(r.scan?.stages?.connections)],
  ['stage detectors s', (r) => seconds(r.scan?.stages?.detectors)],
  ['stage evidence s', (r) => seconds(r.scan?.stages?.evidence)],
  ['stage leaders s', (r) => seconds(r.scan?.stages?.leaders)],
  ['stage render s', (r) => seconds(r.scan?.stages?.render)],
  ['analysis s (conn+det+evid+lead)', (r) => seconds(r.scan?.analysisSeconds)],
  ['analysis s per M records', (r) => perMillion(r.scan?.analysisSeconds, r.records)],
  ['check', (r) => (r.problems.length === 0 ? 'ok' : 'FAILED')],
];

/** Lays out rows of strings; `left` lists the left-aligned columns (numbers align right). */
export function layout(rows: readonly (readonly string[])[], left: readonly number[] = [0]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((c, i) => (left.includes(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function runsTable(runs: readonly RunResult[]): string {
  const header = ['figure', ...runs.map((r) => `${r.variant} ${sizeLabel(r.records)}`)];
  return layout([
    header,
    ...ROWS.map(([label, cell]) => [label, ...runs.map((r) => String(cell(r) ?? '-'))]),
  ]);
}

const shown = (t: TargetResult): string =>
  t.value === null ? '-' : t.unit === 'MB' ? `${t.value.toFixed(0)} MB` : `${t.value.toFixed(2)}x`;
const limitShown = (t: TargetResult): string => (t.unit === 'MB' ? `≤ ${t.limit} MB` : `≤ ${t.limit}x`);

export function targetsTable(targets: readonly TargetResult[]): string {
  const rows = targets.map((t) => [t.title, t.corpus, shown(t), limitShown(t), t.status, t.note ?? '']);
  const header = ['target (issue #12)', 'corpus', 'value', 'limit', 'status', 'note'];
  return layout([header, ...rows], [0, 1, 4, 5]);
}
