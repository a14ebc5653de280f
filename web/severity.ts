import { SEVERITIES, type Severity } from '../src/finding.js';

/** Most severe first, as the page lists them. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

export const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

/** The HTML report's palette. */
export { SEVERITY_COLORS } from '../src/outputs/severityPalette.js';
