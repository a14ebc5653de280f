import type { FlowhawkConfig } from '../config/config.js';
import type { Detector } from '../detectors/define.js';

/** Seconds per unit of the parameters that are spans of time. */
const SPAN_UNITS: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** The look-back when no enabled detector names a span (all disabled but threshold-only cards). */
export const DEFAULT_LOOKBACK_SECONDS = 24 * 3600;

export interface Lookback {
  seconds: number;
  /** which parameter set it (`unusualport.minBaselineDays`), or 'default' */
  by: string;
}

/**
 * How far back each analysis of a watch reaches: the longest span of time any enabled detector's
 * parameters name (its window, the history a baseline needs, the span a beacon must last), as the
 * config sets them, so that a detector sees as much as a scan of the whole store would show it. With
 * the default config that is unusualport's 7-day baseline.
 */
export function lookbackFor(config: FlowhawkConfig, detectors: readonly Detector[]): Lookback {
  let longest: Lookback = { seconds: 0, by: 'default' };
  for (const detector of detectors) {
    const settings = config.detectors[detector.id];
    if (settings && !settings.enabled) continue;
    for (const [name, spec] of Object.entries(detector.params)) {
      const unit = SPAN_UNITS[spec.unit];
      const value = settings?.params[name] ?? spec.value;
      if (unit === undefined || typeof value !== 'number') continue;
      if (value * unit > longest.seconds) longest = { seconds: value * unit, by: `${detector.id}.${name}` };
    }
  }
  return longest.seconds > 0 ? longest : { seconds: DEFAULT_LOOKBACK_SECONDS, by: 'default' };
}
