import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticFinding } from '../../../test/helpers/manyFindings.js';
import { type Finding, SEVERITIES } from '../../finding.js';
import type { TrafficOverview } from '../../report.js';
import { bucketSize, TIMELINE_BUCKETS } from '../../store/trafficOverview.js';
import { timelineData } from './charts.js';

/** The timeline as first written: a filter of every finding for every bucket (slow, and obviously right). */
function byFilter(findings: readonly Finding[], traffic?: TrafficOverview) {
  const times = findings.flatMap((f) => [f.firstSeen, f.lastSeen]);
  if (traffic?.start != null && traffic.end != null) times.push(traffic.start, traffic.end);
  if (times.length === 0) return null;
  const start = times.reduce((a, b) => Math.min(a, b));
  const end = times.reduce((a, b) => Math.max(a, b));
  const size = traffic && traffic.buckets.length > 0 ? traffic.bucketSeconds : bucketSize(start, end);
  const first = Math.floor(start / size) * size;
  const n = Math.min(Math.floor((end - first) / size) + 1, TIMELINE_BUCKETS * 2);
  const t = Array.from({ length: n }, (_, i) => first + i * size);
  return {
    t,
    severities: SEVERITIES.filter((s) => findings.some((f) => f.severity === s))
      .reverse()
      .map((severity) => ({
        label: severity,
        values: t.map(
          (b) =>
            findings.filter((f) => f.severity === severity && f.firstSeen < b + size && f.lastSeen >= b)
              .length,
        ),
      })),
  };
}

const T = 1_710_115_200;
/** times on and off bucket edges, some with milliseconds, some far apart */
const time = fc.oneof(
  fc.integer({ min: T - 3 * 86_400, max: T + 3 * 86_400 }),
  fc.integer({ min: 0, max: 2000 }).map((k) => T + k * 60),
  fc.double({ min: T - 86_400, max: T + 86_400, noNaN: true }).map((x) => Math.round(x * 1000) / 1000),
);
const finding = fc
  .record({ i: fc.nat(10_000), a: time, b: time, severity: fc.constantFrom(...SEVERITIES) })
  .map(({ i, a, b, severity }) => ({ ...syntheticFinding(i, 0), severity, firstSeen: a, lastSeen: b }));
const traffic = fc.option(
  fc
    .record({
      start: time,
      span: fc.integer({ min: 0, max: 5 * 86_400 }),
      size: fc.constantFrom(60, 300, 3600),
    })
    .map(
      ({ start, span, size }): TrafficOverview => ({
        records: 1,
        start,
        end: start + span,
        interfaces: 1,
        bucketSeconds: size,
        buckets: [{ t: Math.floor(start / size) * size, records: 1, bytes: 1 }],
      }),
    ),
  { nil: undefined },
);

describe('timelineData', () => {
  it('counts the findings active in each bucket as a filter per bucket does, in one pass', () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 60 }), traffic, (findings, overview) => {
        const fast = timelineData(findings, overview);
        const slow = byFilter(findings, overview);
        expect(
          fast && { t: fast.t, severities: fast.severities.map(({ label, values }) => ({ label, values })) },
        ).toEqual(slow);
      }),
      { numRuns: 300 },
    );
  });

  it('draws 150,000 findings (a spread of their times overflowed the stack)', () => {
    const many = Array.from({ length: 150_000 }, (_, i) => syntheticFinding(i, 0));
    const data = timelineData(many);
    expect(data?.severities.reduce((sum, s) => sum + Math.max(...s.values), 0)).toBeGreaterThan(0);
  });
});
