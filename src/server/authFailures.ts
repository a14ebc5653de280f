/** Wrong tokens one client address may send within AUTH_FAILURE_WINDOW_MS before it is refused. */
export const AUTH_FAILURE_LIMIT = 10;
/** A person mistyping a token retries within seconds; a guesser needs millions of tries. */
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at once: bounds memory when failures come from many addresses (IPv6). */
const MAX_ADDRESSES = 10_000;

/**
 * Wrong tokens per client address in a sliding window. An address whose last AUTH_FAILURE_LIMIT
 * failures all fall within the window is refused until the oldest of them leaves it; successes
 * do not count, so a client that mistyped once is not punished for working afterwards.
 */
export class AuthFailures {
  /** per address, the times of its latest failures (at most `limit`), oldest first */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = AUTH_FAILURE_LIMIT,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whole seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const times = this.recent(address);
    const oldest = times[0];
    if (times.length < this.limit || oldest === undefined) return 0;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  /** Counts a failure of `address`; returns how many it has within the window now. */
  fail(address: string): number {
    const times = this.recent(address);
    times.push(this.now());
    if (times.length > this.limit) times.shift();
    // re-inserted so the map stays ordered by latest failure: the first entry is the one to forget
    this.failures.delete(address);
    this.failures.set(address, times);
    if (this.failures.size > MAX_ADDRESSES) this.forgetOldest();
    return times.length;
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(address);
    return times;
  }

  private forgetOldest(): void {
    const first = this.failures.keys().next();
    if (!first.done) this.failures.delete(first.value);
  }
}
