import type { Severity } from '../finding.js';

/** One colour per severity, shared by the HTML report and the web page. */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  info: '#6b7280',
  low: '#2563eb',
  medium: '#d97706',
  high: '#dc2626',
  critical: '#7e22ce',
};
