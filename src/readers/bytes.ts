/**
 * Byte helpers over plain Uint8Array, so that the readers run wherever TextDecoder does (a browser,
 * Deno, Node) and not only where Node's Buffer exists. Ingest hands the readers Buffers, which are
 * Uint8Arrays: nothing is copied on the way in.
 */

const UTF8 = new TextDecoder('utf-8');
// WHATWG 'latin1' is windows-1252: one character per byte as in ISO-8859-1, which is all an excerpt needs
const ONE_CHAR_PER_BYTE = new TextDecoder('latin1');
const ENCODER = new TextEncoder();

/** The bytes as UTF-8 text (malformed sequences become U+FFFD, as Buffer's toString does). */
export function utf8Text(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/** The bytes one character each: for excerpts of input that may not be text at all. */
export function byteText(bytes: Uint8Array): string {
  return ONE_CHAR_PER_BYTE.decode(bytes);
}

export function utf8Bytes(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/** The pieces one after another; `total` (their summed length) when the caller has counted it. */
export function concatBytes(pieces: readonly Uint8Array[], total?: number): Uint8Array {
  if (pieces.length === 1 && (total === undefined || total === pieces[0]?.length))
    return pieces[0] as Uint8Array;
  const size = total ?? pieces.reduce((sum, piece) => sum + piece.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece.subarray(0, size - at), at);
    at += piece.length;
    if (at >= size) break;
  }
  return out;
}
