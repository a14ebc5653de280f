import { describe, expect, it } from 'vitest';
import {
  type BeaconScoreParams,
  bowleySkew,
  checkIns,
  combine,
  dispersionScore,
  mad,
  persistence,
  scoreBeacon,
} from './beaconScore.js';

/** The beacon card's defaults, spelled out so the hand computations below can be followed. */
const P: BeaconScoreParams = {
  minInterval: 1,
  minQuartileSpread: 10,
  maxIntervalDispersion: 0.5,
  minSizeQuartileSpread: 64,
  maxSizeDispersion: 0.5,
  persistenceBuckets: 24,
  persistentSeconds: 43_200,
  intervalSkewShare: 0.25,
  sizeSkewShare: 0.25,
  timingWeight: 0.45,
  sizeWeight: 0.3,
  persistenceWeight: 0.25,
};

/** Starts at 0 and then after each interval. */
function startsOf(intervals: readonly number[]): number[] {
  const starts = [0];
  for (const gap of intervals) starts.push((starts[starts.length - 1] ?? 0) + gap);
  return starts;
}

describe('beacon scoring', () => {
  it('scores a perfect beacon 1', () => {
    // 31 calls every 60 s over 30 minutes, 2,000 bytes each.
    // Intervals: Q1 = Q2 = Q3 = 60, IQR 0 < 10 s → skew taken as 0 → intervalSkew 1; MAD 0 → dispersion 1.
    // Sizes: all 2,000 → sizeSkew 1, sizeDispersion 1.
    // Persistence: capture 0-1800 s, bucket = max(1800/24 = 75, 2 × 60 = 120) = 120 s → 15 buckets,
    // a call in each (t = 1800 falls in the last) → coverage 15/15 = 1.
    const starts = startsOf(new Array(30).fill(60));
    const s = scoreBeacon(
      starts,
      starts.map(() => 2000),
      { from: 0, to: 1800 },
      P,
    );
    expect(s?.subScores).toEqual({
      intervalSkew: 1,
      intervalDispersion: 1,
      sizeSkew: 1,
      sizeDispersion: 1,
      persistence: 1,
    });
    expect(s?.persistence).toMatchObject({ occupied: 15, buckets: 15, bucketSeconds: 120 });
    expect(s?.score).toBe(1);
    expect(s?.histogram.counts).toEqual([0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0]);
  });

  it('scores a beacon jittered by ±10% high: 0.947', () => {
    // A 300 s timer, each interval within ±10% (270-330 s), 13 intervals in call order:
    const intervals = [300, 282, 318, 270, 309, 291, 330, 276, 312, 285, 324, 297, 303];
    // sorted: 270 276 282 285 291 297 300 303 309 312 318 324 330; with 13 values the quartiles sit
    // on ranks 3, 6 and 9 (0-based): Q1 = 285, Q2 = 300, Q3 = 312, IQR 27 ≥ 10 s.
    // Bowley = (285 + 312 − 2 × 300) / 27 = −3/27 = −0.1111 → intervalSkew = 1 − 0.1111 = 0.8889.
    // |v − 300| sorted: 0 3 3 9 9 12 15 18 18 24 24 30 30 → MAD = 15; MAD/median = 15/300 = 0.05
    // → intervalDispersion = 1 − 0.05/0.5 = 0.9.
    // Sizes 1500, 1520, 1540 repeating (14 calls: five 1500, five 1520, four 1540): quartiles within
    // 64 bytes → sizeSkew 1; median 1520, deviations five 0 and nine 20 → MAD 20;
    // 20/1520 = 0.013158 → sizeDispersion = 1 − 0.013158/0.5 = 0.97368.
    // Persistence: capture 0-3897 s, bucket = max(3897/24 = 162.4, 2 × 300 = 600) = 600 s → 7 buckets,
    // each with a call → 1.
    // timing = 0.25 × 0.8889 + 0.75 × 0.9 = 0.89722; size = 0.25 × 1 + 0.75 × 0.97368 = 0.98026
    // score = 0.89722^0.45 × 0.98026^0.30 × 1^0.25 = 0.95237 × 0.99404 = 0.94669
    const starts = startsOf(intervals);
    const sizes = starts.map((_, i) => [1500, 1520, 1540][i % 3] ?? 0);
    const s = scoreBeacon(starts, sizes, { from: 0, to: 3897 }, P);
    expect(s?.medianInterval).toBe(300);
    expect(s?.madInterval).toBe(15);
    expect(s?.intervalSkewness).toBeCloseTo(-0.1111, 4);
    expect(s?.subScores.intervalSkew).toBeCloseTo(0.8889, 4);
    expect(s?.subScores.intervalDispersion).toBeCloseTo(0.9, 6);
    expect(s?.subScores.sizeSkew).toBe(1);
    expect(s?.subScores.sizeDispersion).toBeCloseTo(0.97368, 5);
    expect(s?.subScores.persistence).toBe(1);
    expect(s?.persistence).toMatchObject({ occupied: 7, buckets: 7, bucketSeconds: 600 });
    expect(s?.score).toBeCloseTo(0.94669, 4);
    // bins of 300/5 = 60 s: 270-297 fall in bin 4 (240-300), 300-330 in bin 5 (300-360)
    expect(s?.histogram).toEqual({ binSeconds: 60, counts: [0, 0, 0, 0, 6, 7, 0, 0, 0, 0, 0] });
  });

  it('scores random (Poisson) arrivals under 0.5 even with alike sizes', () => {
    // 13 intervals of a Poisson process with a mean of 60 s, taken at the exponential quantiles
    // −60 ln(1 − (i + 0.5)/13), i = 0…12:
    // 2.353 7.356 12.814 18.819 25.493 33.003 41.589 51.612 63.652 78.731 98.920 129.569 195.486
    const exp = Array.from({ length: 13 }, (_, i) => -60 * Math.log(1 - (i + 0.5) / 13));
    // Q1 = 18.819, Q2 = 41.589 (60 ln 2), Q3 = 78.731, IQR 59.91:
    // Bowley = (18.819 + 78.731 − 83.178) / 59.911 = 0.2399 → intervalSkew 0.7601.
    // |v − 41.589| sorted: 0 8.586 10.023 16.096 22.063 22.769 28.774 … → MAD = 28.774;
    // MAD/median = 0.6919 > 0.5 → intervalDispersion 0.
    // timing = 0.25 × 0.7601 + 0.75 × 0 = 0.19002
    expect(bowleySkew(exp, 10)).toBeCloseTo(0.2399, 4);
    expect(mad(exp)).toBeCloseTo(28.774, 3);
    expect(dispersionScore(exp, 0.5)).toBe(0);
    // In a shuffled call order the starts are 0 195.49 197.84 239.43 318.16 330.97 460.54 486.04
    // 537.65 545.00 643.92 676.93 740.58 759.40; bucket = max(759.4/24, 2 × 41.589) = 83.18 s → 10
    // buckets, calls in buckets 0 2 3 5 6 7 8 9 → coverage 8/10 = 0.8.
    // score = 0.19002^0.45 × 1^0.30 × 0.8^0.25 = 0.47366 × 0.94574 = 0.44796
    const starts = startsOf([12, 0, 6, 9, 2, 11, 4, 7, 1, 10, 5, 8, 3].map((i) => exp[i] ?? 0));
    const s = scoreBeacon(
      starts,
      starts.map(() => 2000),
      { from: 0, to: 759.4 },
      P,
    );
    expect(s?.subScores.intervalSkew).toBeCloseTo(0.7601, 4);
    expect(s?.subScores.intervalDispersion).toBe(0);
    expect(s?.persistence).toMatchObject({ occupied: 8, buckets: 10, coverage: 0.8 });
    expect(s?.score).toBeCloseTo(0.44796, 4);
  });

  it('scores unanswered attempts on timing and persistence alone', () => {
    // Without sizes the exponents renormalise over timing (0.45) and persistence (0.25):
    // timing 1 and persistence 0.9 → 0.9^(0.25/0.70) = 0.9631.
    const sub = { intervalSkew: 1, intervalDispersion: 1, persistence: 0.9 };
    expect(combine(sub, P)).toBeCloseTo(0.9631, 4);
  });

  it('keeps a timer that misses beats: a lopsided skew costs only its share', () => {
    // 60 s calls, a third of them missed (120 s): Q1 = Q2 = 60 → Bowley taken as 0 (median on a
    // quartile). Were it 1 (skew 0), timing = 0.25 × 0 + 0.75 × 1 = 0.75 → 0.75^0.45 = 0.8786.
    expect(bowleySkew([60, 60, 120, 60, 60, 120, 60, 60, 120], 10)).toBe(0);
    expect(
      combine({ intervalSkew: 0, intervalDispersion: 1, sizeSkew: 1, sizeDispersion: 1, persistence: 1 }, P),
    ).toBeCloseTo(0.8786, 4);
  });

  it('sinks a perfect timer whose downloads vary, and a short burst', () => {
    // size = 0.25 × 1 + 0.75 × 0 = 0.25 → 0.25^0.30 = 0.6598: under 0.7 with everything else perfect
    expect(
      combine({ intervalSkew: 1, intervalDispersion: 1, sizeSkew: 1, sizeDispersion: 0, persistence: 1 }, P),
    ).toBeCloseTo(0.6598, 4);
    // 120 polls 5 s apart (10 minutes) in a day: bucket = max(86400/24, 10) = 3600 s → 1 of 24 buckets,
    // endurance 595/43200 = 0.0138 → persistence 0.0417 → score 0.0417^0.25 = 0.4518
    const burst = persistence(startsOf(new Array(119).fill(5)), { from: 0, to: 86_400 }, 5, P);
    expect(burst).toMatchObject({ occupied: 1, buckets: 24, bucketSeconds: 3600 });
    expect(burst.score).toBeCloseTo(1 / 24, 6);
    expect(
      combine(
        { intervalSkew: 1, intervalDispersion: 1, sizeSkew: 1, sizeDispersion: 1, persistence: burst.score },
        P,
      ),
    ).toBeCloseTo(0.4518, 4);
  });

  it("measures regularity within the pair's own span: a short perfect beacon is 1, a gappy one less", () => {
    // the 10-minute burst above, scored: persistence over the day 0.0417, score 0.45; over its own
    // 595 s (24 buckets of 24.8 s, at least 2 × 5 s) every bucket holds a poll: regularity 1
    const starts = startsOf(new Array(119).fill(5));
    const burst = scoreBeacon(starts, new Array(120).fill(939), { from: 0, to: 86_400 }, P);
    expect(burst?.score).toBeCloseTo(0.4518, 4);
    expect(burst).toMatchObject({ spanCoverage: 1, regularity: 1 });
    // the same polls with a 20-minute silence in the middle: a 1,795 s span in 24 buckets of 74.8 s,
    // of which polls fill 4 before the silence and 5 after → spanCoverage 9/24 → regularity
    // 0.375^0.25 = 0.7825 (the intervals' median and MAD are still 5 s and 0)
    const gappy = startsOf([...new Array(59).fill(5), 1200, ...new Array(60).fill(5)]);
    const broken = scoreBeacon(gappy, new Array(121).fill(939), { from: 0, to: 86_400 }, P);
    expect(broken?.spanCoverage).toBeCloseTo(9 / 24, 6);
    expect(broken?.regularity).toBeCloseTo(0.375 ** 0.25, 4);
  });

  it('counts a beacon that started late by its endurance: 6 hours of a 7-day capture', () => {
    // bucket = 7 days / 24 = 25,200 s: 1 or 2 buckets of 24; endurance 21,600/43,200 = 0.5
    const starts = startsOf(new Array(360).fill(60)).map((t) => t + 6 * 86_400);
    const held = persistence(starts, { from: 0, to: 7 * 86_400 }, 60, P);
    expect(held.coverage).toBeLessThan(0.1);
    expect(held.endurance).toBe(0.5);
    expect(held.score).toBe(0.5);
  });

  it('merges connections opened within a second into one check-in, adding their sizes', () => {
    expect(checkIns([0, 0.4, 60, 60, 120.9, 121.5], [100, 50, 100, 50, 100, 50], 1)).toEqual({
      starts: [0, 60, 120.9],
      sizes: [150, 150, 150],
    });
  });

  it('takes the skew as 0 where the quartiles are closer than the clock can tell', () => {
    // 59 60 60 61 60 …: Q1 59.75, Q2 60, Q3 60.25 would give ±1 from rounding alone
    expect(bowleySkew([59, 60, 60, 61, 60, 59, 61, 60], 10)).toBe(0);
    expect(bowleySkew([10, 20, 30, 100], 10)).toBeCloseTo((17.5 + 47.5 - 50) / 30, 6);
  });

  it('needs four check-ins: three intervals have no quartiles', () => {
    expect(scoreBeacon([0, 60, 120], undefined, { from: 0, to: 120 }, P)).toBeUndefined();
  });
});
