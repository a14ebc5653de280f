/**
 * How reports and the web page write times and sizes, in one place so the terminal, Markdown, HTML
 * and the page agree. Pure functions: the page's bundle imports them too.
 */

/** Unix seconds → `2024-03-11T00:00:05Z` (UTC; milliseconds only when there are some). */
export const isoSeconds = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** 8000 → "8.0 kB" (decimal units, as AWS bills transfer). */
export function decimalBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${DECIMAL_UNITS[unit]}`;
}
