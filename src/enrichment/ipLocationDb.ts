import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressKey } from './addressKey.js';
import { type RangeCsv, readRangeCsv } from './rangeCsv.js';
import type { RangeTable } from './rangeTable.js';

/**
 * The ASN and country databases of the ip-location-db project, read from the npm packages flowhawk
 * depends on (`-num` CSV files: `start,end,asn,organisation` and `start,end,country`, IPv4 and IPv6).
 * @ip-location-db/asn merges RouteViews, the five RIRs' delegation files and DB-IP's ASN Lite (all
 * CC-BY-4.0); @ip-location-db/asn-country is the RIR-registered country of each range (CC0 as
 * packaged, made from the NRO's CC-BY-4.0 statistics): the country of the owner, not a geolocation.
 */
export const ASN_PACKAGE = '@ip-location-db/asn';
export const COUNTRY_PACKAGE = '@ip-location-db/asn-country';

/** Where a database's files are: a directory holding `<prefix>-ipv4-num.csv` and `<prefix>-ipv6-num.csv`. */
export interface CsvPair {
  dir: string;
  prefix: string;
}

/** The installed package's directory, found the way Node finds it from this file. */
export function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

/** The package's version, e.g. 2.3.2026061719 (ip-location-db writes the data's date into it). */
export function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The data date in an ip-location-db version: 2.3.2026061719 → 2026-06-17, or undefined. */
export function versionDate(version: string): string | undefined {
  const m = /^\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d{2}$/.exec(version);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** Lines of the files that were left out (overlapping or unreadable), for --verbose and the tests. */
export interface SkippedLines {
  count: number;
  first?: string;
}

/** IPv4 and IPv6 range tables of one database, read on first use. */
class LazyPair {
  private tables: { v4: RangeTable; v6: RangeTable } | undefined;
  readonly skipped: SkippedLines = { count: 0 };

  constructor(
    private readonly files: CsvPair,
    private readonly value: (text: string, from: number, to: number, bytes: Buffer) => number | undefined,
  ) {}

  valueOf(key: AddressKey): number | undefined {
    this.tables ??= this.load();
    return (key.family === 4 ? this.tables.v4 : this.tables.v6).valueOf(key.words);
  }

  private load(): { v4: RangeTable; v6: RangeTable } {
    const read = (family: 'ipv4' | 'ipv6', width: 1 | 4): RangeTable => {
      const csv: RangeCsv = readRangeCsv(
        join(this.files.dir, `${this.files.prefix}-${family}-num.csv`),
        width,
        this.value,
      );
      this.skipped.count += csv.skipped;
      if (csv.firstSkipped) this.skipped.first ??= csv.firstSkipped;
      return csv.table;
    };
    return { v4: read('ipv4', 1), v6: read('ipv6', 4) };
  }
}

/** Autonomous system number and organisation of public addresses. */
export class AsnDb {
  private readonly orgs = new Map<number, string>();
  private readonly pair: LazyPair;

  constructor(files: CsvPair) {
    this.pair = new LazyPair(files, (text, from, to, bytes) => {
      let asn = 0;
      let at = from;
      for (; at < to; at++) {
        const digit = text.charCodeAt(at) - 0x30;
        if (digit < 0 || digit > 9) break;
        asn = asn * 10 + digit;
      }
      if (at === from || (at < to && text.charCodeAt(at) !== 0x2c)) return undefined;
      // one name per AS: the files repeat it on each of the AS's ranges
      if (!this.orgs.has(asn)) this.orgs.set(asn, unquote(bytes.toString('utf8', at + 1, to)));
      return asn;
    });
  }

  get skipped(): SkippedLines {
    return this.pair.skipped;
  }

  lookup(key: AddressKey): { asn: number; org: string } | undefined {
    const asn = this.pair.valueOf(key);
    // AS0 marks space the RIRs hold but nobody announces: no owner to name
    if (asn === undefined || asn === 0) return undefined;
    return { asn, org: this.orgs.get(asn) ?? '' };
  }
}

/** ISO 3166 alpha-2 country of public addresses (two letters packed in a number). */
export class CountryDb {
  private readonly pair: LazyPair;

  constructor(files: CsvPair) {
    this.pair = new LazyPair(files, (text, from, to) => {
      if (to - from !== 2) return undefined;
      const a = text.charCodeAt(from);
      const b = text.charCodeAt(from + 1);
      return isUpper(a) && isUpper(b) ? a * 256 + b : undefined;
    });
  }

  get skipped(): SkippedLines {
    return this.pair.skipped;
  }

  lookup(key: AddressKey): string | undefined {
    const code = this.pair.valueOf(key);
    return code === undefined ? undefined : String.fromCharCode(code >> 8, code & 0xff);
  }
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/** A CSV field as written: `"LLC ""SPUTNIK"""` → `LLC "SPUTNIK"`. */
function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"')
    ? field.slice(1, -1).replaceAll('""', '"')
    : field;
}
