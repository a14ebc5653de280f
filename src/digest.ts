import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * SHA-256 of a text (its UTF-8 bytes), in pure JS: finding ids and the report's script hashes are
 * made in the core, which must run in a browser as well as in Node (node:crypto is Node's only).
 */
export const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));

export function sha256Base64(text: string): string {
  let binary = '';
  for (const byte of sha256(utf8ToBytes(text))) binary += String.fromCharCode(byte);
  return btoa(binary);
}
