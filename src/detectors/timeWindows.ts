/**
 * Sliding time windows over one actor's connections, for detectors that decide on a rate ("10 attempts
 * within 5 minutes", "10 hosts within 10 minutes"). Inputs are connection start times in ascending
 * order (as `Dialect.orderedList` returns them) and, where distinct targets count, a parallel key list.
 * Windows are half-open, [from, from + window), and start at a connection, so no window boundary can
 * split a burst the way fixed time buckets do.
 */

export interface Peak {
  /** connections (densest) or distinct keys (widest) in the window */
  count: number;
  /** start of the window's first and last connection */
  from: number;
  to: number;
}

/** The most connections starting within any `window` seconds. */
export function densest(starts: readonly number[], window: number): Peak {
  let best: Peak = { count: 0, from: 0, to: 0 };
  let j = 0;
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i] ?? 0;
    j = Math.max(j, i);
    while (j < starts.length && (starts[j] ?? 0) < from + window) j++;
    if (j - i > best.count) best = { count: j - i, from, to: starts[j - 1] ?? from };
  }
  return best;
}

/** The most distinct keys (hosts, ports) reached within any `window` seconds. */
export function widest(starts: readonly number[], keys: readonly string[], window: number): Peak {
  const inWindow = new Tally();
  let best: Peak = { count: 0, from: 0, to: 0 };
  let j = 0;
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i] ?? 0;
    if (j <= i) {
      j = i;
      inWindow.clear();
    }
    for (; j < starts.length && (starts[j] ?? 0) < from + window; j++) inWindow.add(keys[j] ?? '');
    if (inWindow.size > best.count) best = { count: inWindow.size, from, to: starts[j - 1] ?? from };
    inWindow.remove(keys[i] ?? '');
  }
  return best;
}

export interface Run {
  start: number;
  keys: ReadonlySet<string>;
}

/**
 * Separate bursts, earliest first: a window reaching `minKeys` distinct keys is one run, and the next
 * run is looked for after it. Repeated runs over the same keys are what a schedule looks like.
 */
export function runs(
  starts: readonly number[],
  keys: readonly string[],
  window: number,
  minKeys: number,
): Run[] {
  const found: Run[] = [];
  const inWindow = new Tally();
  let j = 0;
  for (let i = 0; i < starts.length; ) {
    const from = starts[i] ?? 0;
    if (j <= i) {
      j = i;
      inWindow.clear();
    }
    for (; j < starts.length && (starts[j] ?? 0) < from + window; j++) inWindow.add(keys[j] ?? '');
    if (inWindow.size >= minKeys) {
      found.push({ start: from, keys: new Set(inWindow.keys()) });
      i = j;
    } else {
      inWindow.remove(keys[i] ?? '');
      i++;
    }
  }
  return found;
}

/** Linear-interpolated quantile (q in 0-1); 0 for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = sorted[Math.floor(at)] ?? 0;
  const hi = sorted[Math.ceil(at)] ?? lo;
  return lo + (hi - lo) * (at - Math.floor(at));
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** A length of time for a sentence: "45 s", "5 minutes", "5.5 hours". */
export function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  return `${Number((seconds / 3600).toFixed(1))} hours`;
}

/** Counts per key, dropping a key when its count reaches zero. Internal. */
class Tally {
  private readonly counts = new Map<string, number>();

  get size(): number {
    return this.counts.size;
  }

  keys(): IterableIterator<string> {
    return this.counts.keys();
  }

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  remove(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  clear(): void {
    this.counts.clear();
  }
}
