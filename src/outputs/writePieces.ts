/**
 * Every renderer yields its document in pieces (a finding, a row, a section), so no output is ever
 * held whole: a report of 150,000 findings is gigabytes of text, more than one string can hold.
 */
export type Pieces = Iterable<string>;

/**
 * Pieces are joined up to this many characters before a write: one write per finding would cost more
 * in stream bookkeeping than in rendering, and 64 Ki is what file and pipe streams buffer anyway.
 */
const CHUNK_CHARS = 64 * 1024;

/**
 * What writePieces writes to: the part of a Node stream.Writable it uses (a file, a pipe, an HTTP
 * response), named here so that the outputs import nothing of Node's; a browser's WritableStream
 * needs a small adapter to it.
 */
export interface PieceSink {
  write(chunk: string): boolean;
  readonly destroyed: boolean;
  readonly errored: Error | null;
  on(event: 'drain' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  off(event: 'drain' | 'close', listener: () => void): this;
  off(event: 'error', listener: (error: Error) => void): this;
}

/**
 * Writes the pieces to `out` as they are rendered, waiting whenever the stream asks to (`write`
 * returns false) so memory stays flat however slow the reader. Does not end the stream. Rejects with
 * the stream's error, or with the renderer's, at the first piece that fails.
 */
export async function writePieces(pieces: Pieces, out: PieceSink): Promise<void> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= CHUNK_CHARS) {
      await write(out, chunk);
      chunk = '';
    }
  }
  if (chunk !== '') await write(out, chunk);
}

/** The whole document as one string: for tests and small outputs only. */
export function piecesText(pieces: Pieces): string {
  let text = '';
  for (const piece of pieces) text += piece;
  return text;
}

async function write(out: PieceSink, chunk: string): Promise<void> {
  if (out.destroyed) throw out.errored ?? new Error('the output was closed before the report was complete');
  if (!out.write(chunk)) await drained(out);
}

function drained(out: PieceSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off('drain', onDrain).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () =>
      settle(out.errored ?? new Error('the output was closed before the report was complete'));
    out.on('drain', onDrain).on('error', onError).on('close', onClose);
  });
}
