import { concatBytes, utf8Text } from './bytes.js';
/**
 * Cuts a stream of JSON text into its top-level values without holding the whole stream: concatenated
 * objects (`}{`, as Firehose writes CloudWatch payloads to S3), one per line (NDJSON), or the elements
 * of a top-level array, each yielded as it completes. Values are found by bracket depth, respecting
 * strings and escapes; parsing them is the caller's business.
 */

/** Where a piece starts: 1-based line, and 1-based byte column within that line. */
export interface JsonPosition {
  line: number;
  column: number;
}

export type JsonPiece =
  /**
   * one value's text; `inArray` when it is an element of a top-level array; `incomplete` when the input
   * ended inside it (the text is then no valid JSON, but its lines may be)
   */
  | { kind: 'value'; text: string; at: JsonPosition; inArray: boolean; incomplete?: true }
  /** input that cannot be a value, with the reason and its start for the user to see */
  | { kind: 'bad'; reason: string; excerpt: string; at: JsonPosition; inArray: boolean };

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EXCERPT_BYTES = 120;
/** Far above any CloudWatch payload (1 MB) or Lambda event (6 MB); past it, a value is skipped. */
export const MAX_JSON_VALUE_BYTES = 64 << 20;

type Mode = 'between' | 'value' | 'junk';

export class JsonValueSplitter {
  private mode: Mode = 'between';
  private line = 1;
  private column = 0;
  private inArray = false;
  private arrayStart: JsonPosition | undefined;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: Uint8Array[] = [];
  private size = 0;
  private start: JsonPosition = { line: 1, column: 1 };
  // nothing but whitespace (or a byte order mark) seen yet
  private blank = true;
  // set once a value that fits on one line is followed by a line break: the input is NDJSON, so a
  // value still open at the end of its line is broken, and must not swallow the lines after it
  private lineDelimited = false;
  private closedOnLine = 0;

  constructor(private readonly maxValueBytes = MAX_JSON_VALUE_BYTES) {}

  /** The line the splitter has reached (for reporting what happens at the end of the input). */
  get currentLine(): number {
    return this.line;
  }

  push(chunk: Uint8Array): JsonPiece[] {
    const out: JsonPiece[] = [];
    let segment = 0;
    // where the next byte that can end plain string content lies: found once, reused until passed
    let nextQuote = -1;
    let nextBackslash = -1;
    let nextNewline = -1;
    const find = (byte: number, at: number) => {
      const found = chunk.indexOf(byte, at);
      return found === -1 ? chunk.length : found;
    };
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString && !this.escaped && this.mode === 'value') {
        // most bytes of a payload are its messages: skip string content without looking at each byte
        if (nextQuote < i) nextQuote = find(QUOTE, i);
        if (nextBackslash < i) nextBackslash = find(BACKSLASH, i);
        if (nextNewline < i) nextNewline = find(NEWLINE, i);
        const stop = Math.min(nextQuote, nextBackslash, nextNewline);
        this.column += stop - i;
        i = stop;
        if (i === chunk.length) break;
      }
      const byte = chunk[i] as number;
      this.column++;
      if (this.mode === 'value') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (byte === BACKSLASH) this.escaped = true;
          else if (byte === QUOTE) this.inString = false;
          else if (byte === NEWLINE) {
            // JSON strings cannot hold a raw line break: the value was cut short; resume at the next line
            this.keep(chunk.subarray(segment, i));
            out.push(this.bad('JSON value cut short: line break inside a string'));
            this.newLine();
            continue;
          }
        } else if (byte === QUOTE) this.inString = true;
        else if (byte === 0x7b || byte === 0x5b) this.depth++;
        else if (byte === 0x7d || byte === 0x5d) {
          if (--this.depth === 0) {
            this.keep(chunk.subarray(segment, i + 1));
            out.push(this.finishValue());
          }
        } else if (byte === NEWLINE) {
          if (this.lineDelimited && !this.inArray) {
            this.keep(chunk.subarray(segment, i));
            out.push(this.bad('JSON value not closed at the end of its line (one value per line)'));
            this.newLine();
            continue;
          }
          this.newLine(false);
        }
        continue;
      }
      if (this.mode === 'junk') {
        if (byte === NEWLINE || (this.inArray && (byte === 0x2c || byte === 0x5d))) {
          this.keep(chunk.subarray(segment, i));
          out.push(
            this.bad(this.inArray ? 'array element is not a JSON object' : "not JSON (expected '{' or '[')"),
          );
          this.mode = 'between';
          if (byte === NEWLINE) this.newLine();
          else if (byte === 0x5d) this.inArray = false;
        }
        continue;
      }
      // between values
      if (byte === NEWLINE) {
        if (this.closedOnLine === this.line && !this.inArray) this.lineDelimited = true;
        this.newLine();
      } else if (byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x2c) {
        // whitespace; commas are tolerated between top-level values too
      } else if (this.blank && (byte === 0xef || byte === 0xbb || byte === 0xbf)) {
        // the UTF-8 byte order mark some editors put first
      } else if (byte === 0x5b && !this.inArray) {
        this.blank = false;
        this.inArray = true;
        this.arrayStart = { line: this.line, column: this.column };
      } else if (byte === 0x5d && this.inArray) {
        this.inArray = false;
        this.closedOnLine = 0;
      } else {
        this.closedOnLine = 0;
        this.blank = false;
        this.mode = byte === 0x7b || byte === 0x5b ? 'value' : 'junk';
        this.depth = this.mode === 'value' ? 1 : 0;
        this.start = { line: this.line, column: this.column };
        segment = i;
      }
    }
    if (this.mode !== 'between') this.keep(chunk.subarray(segment));
    return out;
  }

  /** Reports whatever the input left unfinished. */
  end(): JsonPiece[] {
    const out: JsonPiece[] = [];
    if (this.mode === 'value') {
      const piece = this.finishValue();
      out.push(piece.kind === 'value' ? { ...piece, incomplete: true } : piece);
    } else if (this.mode === 'junk') out.push(this.bad("not JSON (expected '{' or '[')"));
    else if (this.inArray && this.arrayStart) {
      this.start = this.arrayStart;
      out.push(this.bad("JSON array not closed with ']' at the end of the input"));
    }
    this.mode = 'between';
    this.inArray = false;
    return out;
  }

  private keep(bytes: Uint8Array) {
    if (bytes.length === 0) return;
    const before = this.size;
    this.size += bytes.length;
    if (this.mode === 'value' && this.size <= this.maxValueBytes) {
      this.parts.push(bytes);
      return;
    }
    // junk, or a value past its limit: only the excerpt is worth keeping
    if (this.mode === 'value' && before <= this.maxValueBytes) this.parts = [this.head()];
    if (before < EXCERPT_BYTES) this.parts.push(bytes.subarray(0, EXCERPT_BYTES - before));
  }

  /** The first EXCERPT_BYTES of what is kept. */
  private head(): Uint8Array {
    const head: Uint8Array[] = [];
    let length = 0;
    for (const part of this.parts) {
      if (length >= EXCERPT_BYTES) break;
      head.push(part);
      length += part.length;
    }
    return concatBytes(head).subarray(0, EXCERPT_BYTES);
  }

  private newLine(resetMode = true) {
    this.line++;
    this.column = 0;
    if (resetMode) this.mode = 'between';
  }

  private finishValue(): JsonPiece {
    const at = this.start;
    const inArray = this.inArray;
    if (at.line === this.line) this.closedOnLine = this.line;
    if (this.size > this.maxValueBytes) {
      return this.bad(`JSON value larger than ${this.maxValueBytes >> 20} MiB skipped`);
    }
    const only = this.parts.length === 1 ? this.parts[0] : undefined;
    const text = utf8Text(only ?? concatBytes(this.parts, this.size));
    this.reset();
    return { kind: 'value', text, at, inArray };
  }

  private bad(reason: string): JsonPiece {
    const excerpt = utf8Text(this.head());
    const piece: JsonPiece = { kind: 'bad', reason, excerpt, at: this.start, inArray: this.inArray };
    this.reset();
    return piece;
  }

  private reset() {
    this.mode = 'between';
    this.parts = [];
    this.size = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}
