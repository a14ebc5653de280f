import { utf8Text } from './bytes.js';
import { type InputFormat, READERS } from './index.js';
import type { VpcLayout } from './vpcText.js';

export type { InputFormat };

/**
 * Decides what an input is from its bytes, never its name: `raw` is the start of the file as stored,
 * `head` the start after decompression. The first reader of READERS whose sniff says yes.
 */
export function sniffFormat(raw: Uint8Array, head: Uint8Array, layout?: VpcLayout): InputFormat {
  const first = utf8Text(head.subarray(0, 16 * 1024)).trimStart();
  const line = first.split('\n', 1)[0] ?? '';
  const input = { raw, head, first, line, ...(layout ? { layout } : {}) };
  return READERS.find((reader) => reader.sniff(input))?.id ?? 'unknown';
}
