/**
 * The JSON text inside a CloudWatch Logs subscription record (`awslogs.data`: base64 of gzip'd
 * JSON), decoded through the web platform's atob and DecompressionStream, which Node, browsers and
 * Deno all have, so that the reader needs no compression library of its own. Throws on text that is
 * not base64, bytes that are not gzip, and output past `maxBytes` (a gzip bomb stops there).
 */
export async function gunzipBase64Text(data: string, maxBytes: number): Promise<string> {
  const binary = atob(data);
  const gzipped = new Uint8Array(binary.length);
  for (let at = 0; at < binary.length; at++) gzipped[at] = binary.charCodeAt(at);
  const inflated = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = inflated.getReader();
  const pieces: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`it inflates to more than ${maxBytes >> 20} MiB`);
    }
    pieces.push(value);
  }
  const decoder = new TextDecoder('utf-8');
  return pieces.map((piece) => decoder.decode(piece, { stream: true })).join('') + decoder.decode();
}
