/** How the page writes numbers, sizes and times: like the HTML report (en-US digits, ISO UTC). */
import { formatByteSize } from '../src/byteSize.js';
import { decimalBytes, isoSeconds as unixIso } from '../src/outputs/textUnits.js';
import { protocolLabel } from '../src/protocols.js';

export const num = (n: number | null | undefined): string => (n == null ? '-' : n.toLocaleString('en-US'));

/** Unix seconds → `2024-03-11T00:00:05Z`. */
export function isoSeconds(seconds: number | null | undefined): string {
  return seconds == null || !Number.isFinite(seconds) ? '-' : unixIso(seconds);
}

/** An ISO string from the API, shown in UTC without milliseconds. */
export function isoText(text: string | null | undefined): string {
  if (!text) return '-';
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Bytes in decimal units, as the terminal summary writes them. */
export function bytes(n: number | null | undefined): string {
  return n == null || !Number.isFinite(n) ? '-' : decimalBytes(n);
}

/**
 * A server limit exactly as its option reads it (`--max-upload-size 10G` → `10 GiB`), never rounded
 * into other units: "10.7 GB" for a limit given as 10G looked like a different number.
 */
export function limit(n: number): string {
  return formatByteSize(n);
}

export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.max(0, (done / total) * 100)) : 0;
}

/** A protocol number as the HTML report writes it (src/protocols.ts): `TCP`, `GRE`, or `253`. */
export const protocolName = (p: number | null | undefined): string => (p == null ? '-' : protocolLabel(p));

/** TCP flags as VPC logs them (a bit sum) with their names: `18 (SYN-ACK)`. */
export function tcpFlags(flags: number | null | undefined): string {
  if (flags == null) return '-';
  const names: string[] = [];
  if ((flags & 0x12) === 0x12) names.push('SYN-ACK');
  else if (flags & 0x02) names.push('SYN');
  if (flags & 0x01) names.push('FIN');
  if (flags & 0x04) names.push('RST');
  if (flags & 0x10 && (flags & 0x12) !== 0x12) names.push('ACK');
  return names.length > 0 ? `${flags} (${names.join(' ')})` : String(flags);
}

/** Elapsed time between two ISO times (or until now), as `1 m 05 s`. */
export function elapsed(from: string | null, to: string | null): string {
  if (!from) return '-';
  const a = Date.parse(from);
  const b = to ? Date.parse(to) : Date.now();
  if (Number.isNaN(a) || Number.isNaN(b)) return '-';
  const s = Math.max(0, Math.round((b - a) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}
