/**
 * A pull reader over a byte stream that knows its absolute offset and can take bytes back: the gzip
 * member decoder reads headers a few bytes at a time, feeds the rest to zlib, and puts back whatever
 * zlib did not consume.
 */
export class InputBytes {
  private readonly pieces: Buffer[] = [];
  private buffered = 0;
  private exhausted = false;
  /** absolute offset of the next byte that next()/take() will return */
  offset: number;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    startOffset = 0,
  ) {
    this.offset = startOffset;
  }

  /** Buffers at least `count` bytes; false when the input ends first. */
  async fill(count: number): Promise<boolean> {
    while (this.buffered < count) {
      if (this.exhausted) return false;
      const next = await this.source.next();
      if (next.done) {
        this.exhausted = true;
        return false;
      }
      if (next.value.length > 0) {
        this.pieces.push(next.value);
        this.buffered += next.value.length;
      }
    }
    return true;
  }

  /** The first `count` buffered bytes (fewer at the end of input), left in place. */
  peek(count: number): Buffer {
    const whole = this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces);
    if (this.pieces.length > 1) this.pieces.splice(0, this.pieces.length, whole);
    return whole.subarray(0, Math.min(count, whole.length));
  }

  skip(count: number): void {
    let left = count;
    while (left > 0 && this.pieces.length > 0) {
      const first = this.pieces[0] as Buffer;
      if (first.length <= left) {
        this.pieces.shift();
        left -= first.length;
      } else {
        this.pieces[0] = first.subarray(left);
        left = 0;
      }
    }
    const skipped = count - left;
    this.buffered -= skipped;
    this.offset += skipped;
  }

  /** The next piece of at most `maxBytes`, buffered bytes first; undefined at the end of input. */
  async next(maxBytes: number): Promise<Buffer | undefined> {
    if (this.buffered === 0 && !(await this.fill(1))) return undefined;
    const first = this.pieces[0] as Buffer;
    const piece = first.length <= maxBytes ? first : first.subarray(0, maxBytes);
    this.skip(piece.length);
    return piece;
  }

  /** Puts bytes back in front (they were the last ones taken). */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pieces.unshift(bytes);
    this.buffered += bytes.length;
    this.offset -= bytes.length;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }
}
