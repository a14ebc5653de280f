import type { Severity } from '../src/finding.js';

/** Most severe first, as the page lists them (the types come from src/finding.ts). */
export const SEVERITIES_DESC: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export const isSeverity = (s: string): s is Severity => (SEVERITIES_DESC as readonly string[]).includes(s);

/** The HTML report's palette (src/outputs/html/charts.ts SEVERITY_COLORS). */
export const SEVERITY_COLORS: Record<Severity, string> = {
  info: '#6b7280',
  low: '#2563eb',
  medium: '#d97706',
  high: '#dc2626',
  critical: '#7e22ce',
};
