import type { Severity } from '../src/finding.js';

/** Most severe first, as the page lists them (the types come from src/finding.ts). */
export const SEVERITIES_DESC: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export const isSeverity = (s: string): s is Severity => (SEVERITIES_DESC as readonly string[]).includes(s);

/** The HTML report's palette. */
export { SEVERITY_COLORS } from '../src/outputs/severityPalette.js';
