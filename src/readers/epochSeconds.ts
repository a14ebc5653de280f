/**
 * Unix seconds as exact decimal text. Zeek and Argus log microseconds; adding a duration in binary
 * floating point would turn `1655071198.444458 + 1.135424` into `1655071199.5798819…`, so sums and
 * conversions are done on the digits and the store's DOUBLE gets the nearest value to the exact one.
 */

/** Non-negative decimal seconds: digits, optionally a point and more digits. */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** The largest start/end the store accepts (VPC logs them as 32-bit unsigned seconds). */
export const MAX_EPOCH_SECONDS = 4_294_967_295;

export function isDecimalSeconds(text: string): boolean {
  return DECIMAL.test(text) && Number(text) <= MAX_EPOCH_SECONDS;
}

/** a + b, both non-negative decimal text; exact. */
export function addSeconds(a: string, b: string): string {
  const [aWhole = '0', aFraction = ''] = a.split('.');
  const [bWhole = '0', bFraction = ''] = b.split('.');
  const places = Math.max(aFraction.length, bFraction.length);
  const scaled = (whole: string, fraction: string) => BigInt(whole + fraction.padEnd(places, '0'));
  return withPlaces(scaled(aWhole, aFraction) + scaled(bWhole, bFraction), places);
}

function withPlaces(value: bigint, places: number): string {
  if (places === 0) return value.toString();
  const digits = value.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/**
 * Seconds of a calendar date and time that is `offsetMinutes` east of UTC (0 for UTC), keeping the
 * fraction's digits as written. Undefined when the date does not exist (month 13, 31 April, …).
 */
export function civilToEpoch(
  date: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  fraction: string,
  offsetMinutes: number,
): string | undefined {
  const { year, month, day, hour, minute, second } = date;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 April over into 1 May: a date that does not come back is not a date
  if (new Date(millis).getUTCDate() !== day) return undefined;
  const whole = millis / 1000 - offsetMinutes * 60;
  if (whole < 0) return undefined;
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** An ISO 8601 time as Zeek's JSON writer prints it (`2022-06-12T22:00:00.444458Z`); no zone means UTC. */
export function isoToEpoch(text: string): string | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const offset = parseUtcOffset(zone);
  if (offset === undefined) return undefined;
  return civilToEpoch(
    {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second),
    },
    fraction,
    offset,
  );
}

/**
 * Minutes east of UTC from `Z`, `+02:00`, `+0200`, `+02` or `-05:30`; undefined if it is none of these
 * or beyond ±14 hours (no zone on Earth is further from UTC).
 */
export function parseUtcOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const match = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign, hours, minutes = '0'] = match;
  if (Number(minutes) > 59) return undefined;
  const total = Number(hours) * 60 + Number(minutes);
  if (total > 14 * 60) return undefined;
  return sign === '-' ? -total : total;
}

/** A JSON number of seconds as decimal text (JSON.parse gives the shortest text that round-trips). */
export function numberToSeconds(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0 || value > MAX_EPOCH_SECONDS) return undefined;
  const text = String(value);
  // very small values print as 1e-7: six places is Zeek's own precision
  return text.includes('e') ? value.toFixed(6) : text;
}
