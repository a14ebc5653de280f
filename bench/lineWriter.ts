/**
 * Writes space-separated ASCII lines straight into a byte buffer.
 *
 * Template-literal lines cost ~3 µs a record in V8 (number-to-string, cons-string flattening at join);
 * writing digits and characters into a Uint8Array is several times faster, which keeps corpus generation
 * bound by gzip rather than by JS.
 */
export class LineWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** byte offset of each line's start; lines end at the next start (each ends with '\n') */
  private starts: number[] = [];
  private atLineStart = true;
  private readonly digits = new Uint8Array(20);

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
  }

  get lines(): number {
    return this.starts.length;
  }

  /** Appends one field, with a space before it unless it starts the line. */
  f(value: string | number): this {
    this.reserve(64 + (typeof value === 'string' ? value.length : 0));
    const buf = this.buf;
    let pos = this.pos;
    if (this.atLineStart) {
      this.starts.push(pos);
      this.atLineStart = false;
    } else {
      buf[pos++] = 32;
    }
    if (typeof value === 'string') {
      for (let i = 0; i < value.length; i++) buf[pos++] = value.charCodeAt(i);
    } else {
      pos = this.writeInt(value, pos);
    }
    this.pos = pos;
    return this;
  }

  /** Ends the current line. */
  end(): void {
    this.reserve(1);
    this.buf[this.pos++] = 10;
    this.atLineStart = true;
  }

  /**
   * The written bytes, lines from `fixed` on in a random order (the first `fixed` lines, e.g. a
   * header, stay in place).
   */
  shuffled(fixed: number, randomInt: (n: number) => number): Buffer {
    const n = this.starts.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > fixed; i--) {
      const j = fixed + randomInt(i - fixed + 1);
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    const out = Buffer.allocUnsafe(this.pos);
    let at = 0;
    for (let k = 0; k < n; k++) {
      const line = order[k] as number;
      const from = this.starts[line] as number;
      const to = line + 1 < n ? (this.starts[line + 1] as number) : this.pos;
      out.set(this.buf.subarray(from, to), at);
      at += to - from;
    }
    return out;
  }

  /** Non-negative integers only: every numeric field of a flow record is one. */
  private writeInt(value: number, pos: number): number {
    const buf = this.buf;
    if (value < 10) {
      buf[pos] = 48 + value;
      return pos + 1;
    }
    const digits = this.digits;
    let n = 0;
    let v = value;
    while (v > 0) {
      const q = Math.floor(v / 10);
      digits[n++] = 48 + (v - q * 10);
      v = q;
    }
    while (n > 0) buf[pos++] = digits[--n] as number;
    return pos;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + bytes));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
}
