/**
 * Sizes as options give them (`--max-upload-size 20G`, `--job-memory 1.5GB`), read one way
 * everywhere. K/M/G/T and KiB/MiB/GiB/TiB are powers of 1024, as Docker and Java's -Xmx read them;
 * KB/MB/GB/TB are powers of 1000, as disks are sold and AWS bills. B or no unit: bytes.
 * Pure functions: the page's bundle imports them too, so it shows a limit as the server reads it.
 */

const BINARY = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as const;
const DECIMAL = { K: 1000, M: 1000 ** 2, G: 1000 ** 3, T: 1000 ** 4 } as const;

/** Unit (lower case) → bytes. */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  ...Object.fromEntries(Object.entries(BINARY).map(([p, v]) => [p.toLowerCase(), v])),
  ...Object.fromEntries(Object.entries(BINARY).map(([p, v]) => [`${p.toLowerCase()}ib`, v])),
  ...Object.fromEntries(Object.entries(DECIMAL).map(([p, v]) => [`${p.toLowerCase()}b`, v])),
};

/** What a size may look like, for help texts and errors. */
export const BYTE_SIZE_FORMS =
  'a number with an optional unit: 512M or 512MiB (binary, 1024-based: K/M/G/T, KiB/MiB/GiB/TiB), ' +
  '500MB (decimal, 1000-based: KB/MB/GB/TB), 1.5GB, or bytes (1048576 or 1048576B)';

/** The short form for an option's help line. */
export const BYTE_SIZE_UNITS_NOTE = 'K/M/G and KiB/MiB/GiB are 1024-based, KB/MB/GB 1000-based';

const SIZE = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i;

/**
 * `20G` → 21474836480, `1.5GB` → 1500000000, `512MiB` → 536870912; undefined for anything else
 * (`10XB`, `-1G`, `abc`, ``, a size of 0 bytes, one past 2^53). Decimals are exact (no float
 * drift) and rounded to the nearest byte: `1.1G` is 1181116006.
 */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const [, whole = '', fraction = '', unit = ''] = match;
  const multiplier = UNITS[unit.toLowerCase()];
  if (multiplier === undefined) return undefined;
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * BigInt(multiplier);
  const bytes = (scaled * 2n + scale) / (2n * scale);
  if (bytes <= 0n || bytes > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(bytes);
}

/** Largest unit first; at each power the binary unit is tried before the decimal one. */
const FORMAT_UNITS: [string, number][] = (['T', 'G', 'M', 'K'] as const).flatMap((p) => [
  [`${p}iB`, BINARY[p]],
  [`${p}B`, DECIMAL[p]],
]);

/**
 * The shortest text that parseByteSize reads back as exactly `bytes`: 21474836480 → `20 GiB`,
 * 1500000000 → `1.5 GB`, 4096 → `4 KiB`, 1000000001 → `1000000001 B`. Never an approximation, so a
 * limit shown on the page or in an error is the limit the server applies.
 */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of FORMAT_UNITS) {
    const value = Math.round((bytes / size) * 100) / 100;
    if (value >= 1 && parseByteSize(`${value}${unit}`) === bytes) return `${value} ${unit}`;
  }
  return `${bytes} B`;
}
