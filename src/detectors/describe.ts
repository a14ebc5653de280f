/** Wording shared by detectors' explanations, so findings read alike. */

export { protocolName } from '../protocols.js';

/** 1234567 → "1,234,567" */
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A short port list for a sentence: "22, 23, 80 and 17 more" */
export function portList(ports: readonly (number | string)[], shown = 5): string {
  const head = ports.slice(0, shown).join(', ');
  return ports.length > shown ? `${head} and ${ports.length - shown} more` : head;
}

/** 0-1 on a log scale between 1 and `full`: 10 of 1000 is 0.33, not 0.01. */
export function logShare(value: number, full: number): number {
  if (value <= 1) return 0;
  return Math.min(1, Math.log(value) / Math.log(full));
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
