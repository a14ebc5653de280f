/**
 * Issue #12's targets, and whether one bench run met them. Each target names the corpus it is stated
 * for; a run without that size is judged on the nearest it has (and says so), a run without the
 * figure at all reports the target as not measured.
 */
import { sizeLabel } from './benchCorpus.js';
import type { CorpusVariant } from './generateCorpus.js';

/** The figures of one (variant, size) run that the targets look at; absent when not measured. */
export interface RunFigures {
  variant: CorpusVariant;
  records: number;
  zcatSeconds: number;
  ingestSeconds?: number;
  ingestPeakRssMb?: number;
  scanSeconds?: number;
  scanPeakRssMb?: number;
  /** the scan's read stage: the in-memory ingest */
  readSeconds?: number;
  /** connections + detectors + evidence + leaders */
  analysisSeconds?: number;
}

export type TargetStatus = 'met' | 'not met' | 'not measured';

export interface TargetResult {
  id: string;
  title: string;
  /** the corpus the value comes from, e.g. 'realistic 10M', or 'realistic 1M → 30M' */
  corpus: string;
  value: number | null;
  limit: number;
  unit: 'x' | 'MB';
  status: TargetStatus;
  /** why the value is not, or not exactly, the one the target names */
  note?: string;
}

/** The corpus size the issue states the ratio and memory targets for. */
export const TARGET_RECORDS = 10_000_000;
/** The sizes the linear-growth target compares. */
export const GROWTH_FROM_RECORDS = 1_000_000;
export const GROWTH_TO_RECORDS = 30_000_000;

const MB = 1e6;
const MIB = 2 ** 20;

interface RatioTarget {
  id: string;
  title: string;
  variant: CorpusVariant;
  limit: number;
  unit: 'x' | 'MB';
  value: (r: RunFigures) => number | undefined;
}

const over = (a: number | undefined, b: number): number | undefined =>
  a === undefined || b <= 0 ? undefined : a / b;
// RSS is measured in MiB (kernel KiB / 1024); the limits are in GB: compare in bytes
const asMb = (mib: number | undefined): number | undefined =>
  mib === undefined ? undefined : (mib * MIB) / MB;

// biome-ignore format: one target per line reads like the issue's list
const AT_SIZE: readonly RatioTarget[] = [
  { id: 'ingest-memory', title: 'in-memory ingest (scan read) / zcat', variant: 'realistic', limit: 2, unit: 'x',
    value: (r) => over(r.readSeconds, r.zcatSeconds) },
  { id: 'ingest-workspace', title: 'ingest into a workspace / zcat', variant: 'realistic', limit: 3, unit: 'x',
    value: (r) => over(r.ingestSeconds, r.zcatSeconds) },
  { id: 'scan-realistic', title: 'full scan / zcat', variant: 'realistic', limit: 3, unit: 'x',
    value: (r) => over(r.scanSeconds, r.zcatSeconds) },
  { id: 'scan-worst-case', title: 'full scan / zcat', variant: 'worst-case', limit: 6, unit: 'x',
    value: (r) => over(r.scanSeconds, r.zcatSeconds) },
  { id: 'rss-ingest', title: 'peak RSS, ingest into a workspace', variant: 'realistic', limit: 1000, unit: 'MB',
    value: (r) => asMb(r.ingestPeakRssMb) },
  { id: 'rss-scan', title: 'peak RSS, full scan', variant: 'realistic', limit: 2000, unit: 'MB',
    value: (r) => asMb(r.scanPeakRssMb) },
];

/** Growth of analysis seconds per million records from the smallest to the largest size: ≤ 1.2. */
const GROWTH_LIMIT = 1.2;

const statusOf = (value: number | undefined, limit: number): TargetStatus =>
  value === undefined ? 'not measured' : value <= limit ? 'met' : 'not met';

/** The run of the variant at the target size, else its largest run (the least dominated by start-up). */
function referenceRun(runs: readonly RunFigures[], variant: CorpusVariant): RunFigures | undefined {
  const of = runs.filter((r) => r.variant === variant);
  return of.find((r) => r.records === TARGET_RECORDS) ?? of.sort((a, b) => b.records - a.records)[0];
}

function atSize(t: RatioTarget, runs: readonly RunFigures[]): TargetResult {
  const run = referenceRun(runs, t.variant);
  const value = run ? t.value(run) : undefined;
  const base = { id: t.id, title: t.title, limit: t.limit, unit: t.unit };
  if (!run) {
    return {
      ...base,
      corpus: `${t.variant} ${sizeLabel(TARGET_RECORDS)}`,
      value: null,
      status: 'not measured',
      note: `no ${t.variant} corpus in this run (--variant ${t.variant} or both)`,
    };
  }
  const note =
    value === undefined
      ? 'figure not measured (--no-scan, or the command failed)'
      : run.records !== TARGET_RECORDS
        ? `stated for ${sizeLabel(TARGET_RECORDS)}`
        : undefined;
  return {
    ...base,
    corpus: `${t.variant} ${sizeLabel(run.records)}`,
    value: value ?? null,
    status: statusOf(value, t.limit),
    ...(note ? { note } : {}),
  };
}

const perMillion = (r: RunFigures): number | undefined =>
  r.analysisSeconds === undefined ? undefined : r.analysisSeconds / (r.records / 1e6);

/** Analysis seconds per million records at the largest size over that at the smallest. */
function growth(variant: CorpusVariant, runs: readonly RunFigures[]): TargetResult {
  const of = runs.filter((r) => r.variant === variant).sort((a, b) => a.records - b.records);
  const [from, to] = [of[0], of.at(-1)];
  const base = {
    id: `growth-${variant}`,
    title: 'growth of analysis s per M records',
    limit: GROWTH_LIMIT,
    unit: 'x' as const,
  };
  const stated = `${sizeLabel(GROWTH_FROM_RECORDS)} → ${sizeLabel(GROWTH_TO_RECORDS)}`;
  if (!from || !to || from === to) {
    return {
      ...base,
      corpus: `${variant} ${stated}`,
      value: null,
      status: 'not measured',
      note:
        of.length === 0
          ? `no ${variant} corpus in this run (--variant ${variant} or both)`
          : 'needs two sizes or more, e.g. --records 1000000,10000000,30000000',
    };
  }
  const [a, b] = [perMillion(from), perMillion(to)];
  const value = a === undefined || b === undefined || a <= 0 ? undefined : b / a;
  const corpus = `${variant} ${sizeLabel(from.records)} → ${sizeLabel(to.records)}`;
  const exact = from.records === GROWTH_FROM_RECORDS && to.records === GROWTH_TO_RECORDS;
  const note =
    value === undefined ? 'analysis stages not measured' : exact ? undefined : `stated for ${stated}`;
  return {
    ...base,
    corpus,
    value: value ?? null,
    status: statusOf(value, GROWTH_LIMIT),
    ...(note ? { note } : {}),
  };
}

/** Every target, judged on the runs of one bench invocation. */
export function evaluateTargets(runs: readonly RunFigures[]): TargetResult[] {
  const variants = new Set(runs.map((r) => r.variant));
  return [
    ...AT_SIZE.map((t) => atSize(t, runs)),
    growth('realistic', runs),
    // the issue states growth for the realistic corpus; the worst case's is shown when it was run
    ...(variants.has('worst-case') ? [growth('worst-case', runs)] : []),
  ];
}
