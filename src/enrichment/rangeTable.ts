/**
 * Sorted, non-overlapping address ranges with one number attached to each, in typed arrays so that a
 * table of half a million ranges costs a few megabytes and no per-range objects. Addresses are words
 * of 32 bits: one per IPv4 address, four (most significant first) per IPv6 address.
 */
export class RangeTable {
  /** Number of ranges. */
  readonly size: number;

  /**
   * @param width words per address (1 for IPv4, 4 for IPv6)
   * @param starts first address of each range, `width` words each, ascending
   * @param ends last address of each range (inclusive), same layout
   * @param values the number attached to each range (an owner index, an ASN, a country code)
   */
  constructor(
    readonly width: 1 | 4,
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly values: Uint32Array,
  ) {
    this.size = values.length;
    if (starts.length !== this.size * width || ends.length !== this.size * width) {
      throw new Error(`range table: ${this.size} values but ${starts.length / width} starts`);
    }
  }

  /** Index of the range holding `key` (`width` words), or -1. Binary search: O(log n). */
  indexOf(key: ArrayLike<number>): number {
    // the last range whose start is <= key, then whether key is also <= its end
    let lo = 0;
    let hi = this.size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.starts, mid, this.width, key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && compareAt(this.ends, found, this.width, key) >= 0 ? found : -1;
  }

  /** The value of the range holding `key`, or undefined. */
  valueOf(key: ArrayLike<number>): number | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }
}

/** Collects ranges in ascending order and packs them into a RangeTable. */
export class RangeTableBuilder {
  private starts: Uint32Array;
  private ends: Uint32Array;
  private values: Uint32Array;
  private count = 0;

  /** @param capacity expected number of ranges (the arrays grow past it, at the cost of a copy) */
  constructor(
    readonly width: 1 | 4,
    capacity = 1024,
  ) {
    this.starts = new Uint32Array(Math.max(1, capacity) * width);
    this.ends = new Uint32Array(Math.max(1, capacity) * width);
    this.values = new Uint32Array(Math.max(1, capacity));
  }

  /**
   * Adds one range; throws when it is not after the previous one, because binary search over
   * unsorted or overlapping ranges answers wrongly without any sign of it.
   */
  add(start: ArrayLike<number>, end: ArrayLike<number>, value: number): void {
    const w = this.width;
    if (compareAt(start, 0, w, end) > 0) {
      throw new Error('range table: a range ends before it starts');
    }
    if (this.count > 0 && compareAt(this.ends, this.count - 1, w, start) >= 0) {
      throw new Error('range table: ranges must be added in ascending order without overlap');
    }
    if (this.count === this.values.length) this.grow();
    for (let i = 0; i < w; i++) {
      this.starts[this.count * w + i] = start[i] ?? 0;
      this.ends[this.count * w + i] = end[i] ?? 0;
    }
    this.values[this.count] = value;
    this.count++;
  }

  build(): RangeTable {
    const n = this.count;
    const w = this.width;
    return new RangeTable(w, this.starts.slice(0, n * w), this.ends.slice(0, n * w), this.values.slice(0, n));
  }

  private grow(): void {
    const bigger = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = bigger(this.starts);
    this.ends = bigger(this.ends);
    this.values = bigger(this.values);
  }
}

/** Sign of (address `index` of `table`) minus `key`. */
function compareAt(table: ArrayLike<number>, index: number, width: number, key: ArrayLike<number>): number {
  const base = index * width;
  for (let w = 0; w < width; w++) {
    const a = table[base + w] ?? 0;
    const b = key[w] ?? 0;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}
