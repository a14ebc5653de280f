/**
 * A small seeded PRNG (sfc32) for the corpus generator.
 *
 * The corpus must be byte-identical for a given seed so that bench figures are comparable between runs
 * and machines; Math.random cannot be seeded. sfc32 is fast in plain 32-bit JS arithmetic and good
 * enough for synthetic data.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    // Fold any number of integers (seed, file index, ...) into the state, so that every output file
    // gets its own independent stream whatever order files are generated in.
    let h = 0x9e3779b9;
    this.a = 0x243f6a88;
    this.b = 0x85a308d3;
    this.c = 0x13198a2e;
    this.d = 1;
    for (const s of seeds) {
      h = Math.imul(h ^ (s >>> 0), 0x85ebca6b);
      h ^= h >>> 13;
      this.a ^= h;
      this.b = (this.b + Math.imul(h, 0xc2b2ae35)) | 0;
      this.c ^= h >>> 7;
      this.d = (this.d + 1) | 0;
    }
    for (let i = 0; i < 16; i++) this.next(); // warm up: early sfc32 outputs correlate with the seed
  }

  /** Uniform unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Index into a list where low indexes are much more likely: a cheap Zipf-like popularity. */
  skewed(n: number, power = 3): number {
    return Math.floor(n * this.float() ** power);
  }

  /** Pareto-distributed integer >= min: heavy-tailed sizes like real packet and byte counts. */
  pareto(min: number, alpha: number, cap: number): number {
    const v = Math.floor(min / (1 - this.float()) ** (1 / alpha));
    return Math.min(v, cap);
  }

  /** n lowercase hex digits. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.next().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
}
