import type { TrafficOverview } from '../report.js';
import type { AnalysisStore } from './store.js';

/** At most this many points on the timeline: enough to see a burst, small in the HTML. */
export const TIMELINE_BUCKETS = 240;
/** Bucket sizes the timeline picks from (seconds): round numbers an analyst reads at a glance. */
const BUCKET_SIZES = [60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400];

export function bucketSize(start: number, end: number, maxBuckets = TIMELINE_BUCKETS): number {
  const span = Math.max(0, end - start);
  return (
    BUCKET_SIZES.find((size) => span / size <= maxBuckets) ?? Math.ceil(span / maxBuckets / 86400) * 86400
  );
}

export async function trafficOverview(store: AnalysisStore): Promise<TrafficOverview> {
  const [facts] = await store.query<{ n: bigint; t0: number | null; t1: number | null; interfaces: bigint }>(
    `SELECT count(*) AS n, min(start_time) AS t0, max(coalesce(end_time, start_time)) AS t1,
       count(DISTINCT interface_id) AS interfaces FROM flows`,
  );
  const start = facts?.t0 ?? null;
  const end = facts?.t1 ?? null;
  const size = start !== null && end !== null ? bucketSize(start, end) : 3600;
  const rows =
    start === null
      ? []
      : await store.query<{ t: number; n: bigint; bytes: bigint | null }>(
          `SELECT floor(start_time / ${size}) * ${size} AS t, count(*) AS n, sum(bytes) AS bytes
           FROM flows WHERE start_time IS NOT NULL GROUP BY 1 ORDER BY 1`,
        );
  return {
    records: Number(facts?.n ?? 0),
    start,
    end,
    interfaces: Number(facts?.interfaces ?? 0),
    bucketSeconds: size,
    buckets: rows.map((r) => ({ t: Number(r.t), records: Number(r.n), bytes: Number(r.bytes ?? 0) })),
  };
}
