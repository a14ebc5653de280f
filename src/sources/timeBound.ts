import { FlowhawkError } from '../errors.js';

/** Seconds per unit of a duration such as `24h` or `7d`. */
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

const DURATION = /^(\d+(?:\.\d+)?)([smhdw])$/;

/** A date with a month at least: `2026-11-30`, `2026-11-30T10:00Z`, `2026-11-30T10:00:00+01:00`. */
const ISO = /^\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?$/i;

/**
 * A --since or --until value: an ISO time (UTC when it names no zone) or a duration before `now`
 * (`90m`, `24h`, `7d`), or Unix seconds (`1710115200`). A USAGE error naming the flag otherwise.
 */
export function parseTimeBound(text: string, flag: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  // nine digits or more: Unix seconds (no ISO form is all digits, and no sane duration lacks a unit)
  if (/^\d{9,}(?:\.\d+)?$/.test(trimmed)) return new Date(Number(trimmed) * 1000);
  const seconds = durationSeconds(trimmed);
  if (seconds !== undefined) return new Date(now.getTime() - seconds * 1000);
  if (ISO.test(trimmed)) {
    // a time without a zone is UTC, as flow log times are, not the local time Date.parse would assume
    const zoned = /T|\s/.test(trimmed) && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? `${trimmed}Z` : trimmed;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new FlowhawkError(
    'USAGE',
    `${flag} ${text} is neither a time nor a duration`,
    'write an ISO time (2026-11-30T10:00Z; UTC when no zone is given), a duration before now (90m, 24h, 7d) or Unix seconds',
  );
}

/**
 * A --since/--until pair as times, each optional; a USAGE error (naming the keys) for a value that
 * is not a time, or a window that does not start before it ends.
 */
export function parseTimeWindow(
  window: { since?: string; until?: string },
  keys: { since: string; until: string },
  now: Date = new Date(),
): { since?: Date; until?: Date } {
  const since = window.since === undefined ? undefined : parseTimeBound(window.since, keys.since, now);
  const until = window.until === undefined ? undefined : parseTimeBound(window.until, keys.until, now);
  if (since && until && since.getTime() >= until.getTime()) {
    throw new FlowhawkError(
      'USAGE',
      `${keys.since} ${window.since} is not before ${keys.until} ${window.until}`,
      'give a window that starts before it ends',
    );
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** Seconds of a duration such as `90s`, `5m`, `24h`, `7d`; undefined for anything else. */
function durationSeconds(text: string): number | undefined {
  const duration = DURATION.exec(text.trim());
  return duration ? Number(duration[1]) * (UNIT_SECONDS[duration[2] as string] as number) : undefined;
}

/** A duration flag (`--interval 5m`): seconds, more than zero; a USAGE error naming the flag otherwise. */
export function parseDuration(text: string, flag: string): number {
  const seconds = durationSeconds(text);
  if (seconds === undefined || seconds <= 0) {
    throw new FlowhawkError(
      'USAGE',
      `${flag} ${text} is not a duration`,
      'write a number and a unit: 30s, 5m, 1h, 7d (s, m, h, d, w)',
    );
  }
  return seconds;
}
