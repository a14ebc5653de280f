import { median, quantile } from './timeWindows.js';

/**
 * Beacon scoring: how much one host's connection starts to another look like a program calling home on
 * a timer. Pure functions over connection starts (and their sizes); the beacon card (c2/beacon.ts)
 * feeds them. It lives here, beside trw.ts, because every .ts file in a group folder is a card.
 *
 * The ideas are RITA's beacon analysis (Active Countermeasures): the intervals between connections of a
 * timer are symmetric (Bowley skew near 0) and tight (median absolute deviation small against the
 * median); a heartbeat's payloads are alike; and an implant keeps calling for as long as the host runs.
 * What differs: RITA averages its sub-scores, so perfect timing alone earns half the score (a cron job
 * that downloads whatever is new, a retry loop that runs for three minutes). Here the three properties
 * are combined by a weighted geometric mean, timing^a · size^b · persistence^c, so that one missing
 * property sinks the score while ±10% jitter costs a few hundredths. Within timing and within size, the
 * skew and dispersion sub-scores are averaged (weighted) as RITA does: a timer that misses beats has
 * lopsided intervals but is still a timer.
 */

export interface BeaconScoreParams {
  /** seconds: starts closer than this are one check-in (a check-in that opens two connections) */
  minInterval: number;
  /** seconds: interval quartiles closer than this are clock noise, not a shape (skew taken as 0) */
  minQuartileSpread: number;
  /** MAD/median of the intervals at which the dispersion sub-score reaches 0 */
  maxIntervalDispersion: number;
  /** bytes: size quartiles closer than this are alike, whatever the shape (skew taken as 0) */
  minSizeQuartileSpread: number;
  /** MAD/median of the sizes at which the size-dispersion sub-score reaches 0 */
  maxSizeDispersion: number;
  /** the capture is cut into this many time buckets (each at least two median intervals long) */
  persistenceBuckets: number;
  /** seconds of calling, first to last check-in, that count as fully persistent whatever the capture */
  persistentSeconds: number;
  /** share of the interval skew in the timing property (the dispersion has the rest) */
  intervalSkewShare: number;
  /** share of the size skew in the size property (the dispersion has the rest) */
  sizeSkewShare: number;
  /** exponents of the geometric mean; normalised over the properties present */
  timingWeight: number;
  sizeWeight: number;
  persistenceWeight: number;
}

export interface SubScores {
  intervalSkew: number;
  intervalDispersion: number;
  /** absent when sizes say nothing (unanswered attempts, logs without bytes) */
  sizeSkew?: number;
  sizeDispersion?: number;
  persistence: number;
}

export interface Persistence {
  score: number;
  /** share of the capture's buckets with a check-in */
  coverage: number;
  occupied: number;
  buckets: number;
  bucketSeconds: number;
  /** first to last check-in over persistentSeconds, at most 1 */
  endurance: number;
}

export interface BeaconScore {
  /** 0-1, the weighted geometric mean of the sub-scores */
  score: number;
  subScores: SubScores;
  checkIns: number;
  /** Unix seconds of the check-ins, ascending */
  starts: number[];
  intervals: number[];
  medianInterval: number;
  /** median absolute deviation of the intervals, seconds */
  madInterval: number;
  /** Bowley skew of the intervals, -1 to 1 (0 when the quartiles are too close to tell) */
  intervalSkewness: number;
  medianBytes?: number;
  madBytes?: number;
  persistence: Persistence;
  /**
   * The score with persistence measured within the pair's own span (first to last check-in) instead of
   * the capture: how much of a timer the calling is while it lasts, whatever the capture around it.
   */
  regularity: number;
  /** share of the pair's own span, cut into persistenceBuckets, that holds a check-in */
  spanCoverage: number;
  histogram: Histogram;
}

export interface Histogram {
  /** width of a bin: a fifth of the median interval */
  binSeconds: number;
  /** intervals per bin from 0 to twice the median, then one bin for all longer */
  counts: number[];
}

/**
 * Bowley (quartile) skewness (Q1 + Q3 − 2·Q2) / (Q3 − Q1): 0 for a symmetric spread, ±1 when the median
 * sits on a quartile. Taken as 0 when the quartiles are closer than `minSpread` or the median equals one
 * of them, where the ratio measures rounding, not shape (RITA does the same).
 */
export function bowleySkew(values: readonly number[], minSpread: number): number {
  const q1 = quantile(values, 0.25);
  const q2 = quantile(values, 0.5);
  const q3 = quantile(values, 0.75);
  if (q3 - q1 < minSpread || q2 === q1 || q2 === q3) return 0;
  return (q1 + q3 - 2 * q2) / (q3 - q1);
}

/** Median absolute deviation about the median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** 1 − MAD/median ÷ `max`, within 0-1: 1 for identical values, 0 at and beyond `max`. */
export function dispersionScore(values: readonly number[], max: number): number {
  const m = median(values);
  const d = mad(values);
  if (d === 0) return 1;
  if (m <= 0 || max <= 0) return 0;
  return clamp(1 - d / m / max);
}

export const skewScore = (skew: number): number => clamp(1 - Math.abs(skew));

/**
 * Check-ins from connection starts (ascending): a start less than `minInterval` after the previous
 * one joins its check-in, whose size is the sum of its connections'.
 */
export function checkIns(
  starts: readonly number[],
  sizes: readonly number[] | undefined,
  minInterval: number,
): { starts: number[]; sizes: number[] | undefined } {
  const merged: number[] = [];
  const mergedSizes: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  starts.forEach((start, i) => {
    const size = sizes?.[i] ?? 0;
    if (merged.length > 0 && start - last < minInterval) {
      mergedSizes[mergedSizes.length - 1] = (mergedSizes[mergedSizes.length - 1] ?? 0) + size;
    } else {
      merged.push(start);
      mergedSizes.push(size);
    }
    last = start;
  });
  return { starts: merged, sizes: sizes ? mergedSizes : undefined };
}

/**
 * How long the calling lasted: the larger of coverage (share of the capture's buckets, each at least two
 * median intervals long so that jitter cannot empty one, holding a check-in) and endurance (first to
 * last check-in against `persistentSeconds`, for a beacon that started late in a long capture).
 */
export function persistence(
  starts: readonly number[],
  capture: { from: number; to: number },
  medianInterval: number,
  p: Pick<BeaconScoreParams, 'persistenceBuckets' | 'persistentSeconds'>,
): Persistence {
  const span = Math.max(0, capture.to - capture.from);
  const bucketSeconds = Math.max(span / Math.max(1, p.persistenceBuckets), 2 * medianInterval, 1);
  const buckets = Math.max(1, Math.ceil(span / bucketSeconds));
  const occupied = new Set(
    starts.map((t) => Math.min(buckets - 1, Math.max(0, Math.floor((t - capture.from) / bucketSeconds)))),
  ).size;
  const coverage = occupied / buckets;
  const first = starts[0] ?? 0;
  const last = starts[starts.length - 1] ?? first;
  const endurance = p.persistentSeconds > 0 ? clamp((last - first) / p.persistentSeconds) : 0;
  return { score: Math.max(coverage, endurance), coverage, occupied, buckets, bucketSeconds, endurance };
}

/** Intervals in bins of a fifth of the median, 0 to twice the median, then one bin for the rest. */
export function intervalHistogram(intervals: readonly number[], medianInterval: number): Histogram {
  const binSeconds = medianInterval / 5;
  const counts = new Array<number>(11).fill(0);
  for (const interval of intervals) {
    const bin = binSeconds > 0 ? Math.min(10, Math.floor(interval / binSeconds)) : 10;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { binSeconds, counts };
}

/** timing = share·intervalSkew + (1 − share)·intervalDispersion; size likewise, when present. */
export function properties(
  s: SubScores,
  p: Pick<BeaconScoreParams, 'intervalSkewShare' | 'sizeSkewShare'>,
): { timing: number; size?: number; persistence: number } {
  const mix = (skew: number, dispersion: number, share: number) =>
    clamp(share) * skew + (1 - clamp(share)) * dispersion;
  return {
    timing: mix(s.intervalSkew, s.intervalDispersion, p.intervalSkewShare),
    ...(s.sizeSkew !== undefined && s.sizeDispersion !== undefined
      ? { size: mix(s.sizeSkew, s.sizeDispersion, p.sizeSkewShare) }
      : {}),
    persistence: s.persistence,
  };
}

/**
 * Weighted geometric mean of the properties present: timing^a · size^b · persistence^c, the exponents
 * normalised to sum to 1. Without sizes (unanswered attempts) it is timing and persistence alone.
 */
export function combine(s: SubScores, p: BeaconScoreParams): number {
  const { timing, size, persistence } = properties(s, p);
  const parts: [number | undefined, number][] = [
    [timing, p.timingWeight],
    [size, p.sizeWeight],
    [persistence, p.persistenceWeight],
  ];
  const present = parts.filter((part): part is [number, number] => part[0] !== undefined && part[1] > 0);
  const total = present.reduce((sum, [, w]) => sum + w, 0);
  if (total <= 0) return 0;
  return present.reduce((product, [value, w]) => product * clamp(value) ** (w / total), 1);
}

/**
 * Scores connection starts (ascending, Unix seconds) and, when they say something, the bytes of each
 * connection. Undefined with fewer than four check-ins: three intervals have no quartiles to speak of.
 */
export function scoreBeacon(
  connectionStarts: readonly number[],
  connectionSizes: readonly number[] | undefined,
  capture: { from: number; to: number },
  p: BeaconScoreParams,
): BeaconScore | undefined {
  const { starts, sizes } = checkIns(connectionStarts, connectionSizes, p.minInterval);
  if (starts.length < 4) return undefined;
  const intervals = starts.slice(1).map((t, i) => t - (starts[i] ?? t));
  const medianInterval = median(intervals);
  const intervalSkewness = bowleySkew(intervals, p.minQuartileSpread);
  const held = persistence(starts, capture, medianInterval, p);
  // the same buckets over the pair's own span: a short beacon that never misses a beat covers all of it
  const own = { from: starts[0] ?? 0, to: starts[starts.length - 1] ?? 0 };
  const within = persistence(starts, own, medianInterval, { ...p, persistentSeconds: 0 });
  const subScores: SubScores = {
    intervalSkew: skewScore(intervalSkewness),
    intervalDispersion: dispersionScore(intervals, p.maxIntervalDispersion),
    ...(sizes
      ? {
          sizeSkew: skewScore(bowleySkew(sizes, p.minSizeQuartileSpread)),
          sizeDispersion: dispersionScore(sizes, p.maxSizeDispersion),
        }
      : {}),
    persistence: held.score,
  };
  return {
    score: combine(subScores, p),
    subScores,
    regularity: combine({ ...subScores, persistence: within.coverage }, p),
    spanCoverage: within.coverage,
    checkIns: starts.length,
    starts,
    intervals,
    medianInterval,
    madInterval: mad(intervals),
    intervalSkewness,
    ...(sizes ? { medianBytes: median(sizes), madBytes: mad(sizes) } : {}),
    persistence: held,
    histogram: intervalHistogram(intervals, medianInterval),
  };
}

const clamp = (value: number): number => Math.min(1, Math.max(0, value));
