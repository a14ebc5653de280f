import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressOwner } from '../finding.js';
import type { EnrichmentSource } from '../report.js';
import { type AddressKey, addressKey, isPublic } from './addressKey.js';
import { awsCreateDateIso, type CompactAwsRanges } from './awsCompact.js';
import { type AwsOwner, AwsRanges, chooseAwsRanges } from './awsRanges.js';
import { defaultDataDir } from './dataDir.js';
import {
  ASN_PACKAGE,
  AsnDb,
  COUNTRY_PACKAGE,
  CountryDb,
  type CsvPair,
  packageDir,
  packageVersion,
  versionDate,
} from './ipLocationDb.js';

export type { AddressOwner };

export interface OwnerLookupOptions {
  /** Where `update-data` stored refreshed files; default `defaultDataDir()`, false for bundled only. */
  dataDir?: string | false;
  /** AWS ranges to use instead of the bundled or refreshed ones (tests). */
  aws?: CompactAwsRanges;
  /** ASN / country CSV files to use instead of the installed packages (tests); false to leave out. */
  asn?: CsvPair | false;
  country?: CsvPair | false;
}

/** The owner lookups of one run; build it once with `loadOwnerLookup` and ask it per address. */
export interface OwnerLookup {
  awsOwner(address: string): AwsOwner | undefined;
  /** the AWS ranges themselves, for a store to join flows against */
  readonly aws: AwsRanges;
  asnOf(address: string): { asn: number; org: string } | undefined;
  countryOf(address: string): string | undefined;
  describeOwner(address: string): AddressOwner;
  enrichmentSources(): EnrichmentSource[];
  /** Problems that cost an enrichment source but not the run (a damaged refreshed file). */
  readonly warnings: readonly string[];
}

const IP_LOCATION_DB_URL = 'https://github.com/sapics/ip-location-db';

/**
 * Loads the AWS ranges now (about 20 ms) and prepares the ASN and country databases, which are read
 * only when the first public address is asked about (about 0.8 s and 15 MB together), so a run over
 * private traffic alone never pays for them.
 */
export async function loadOwnerLookup(options: OwnerLookupOptions = {}): Promise<OwnerLookup> {
  const dataDir = options.dataDir === false ? undefined : (options.dataDir ?? defaultDataDir());
  const warnings: string[] = [];
  let awsData = options.aws;
  let awsOrigin = 'fixture';
  if (!awsData) {
    const choice = await chooseAwsRanges(dataDir);
    awsData = choice.data;
    awsOrigin = choice.origin;
    if (choice.warning) warnings.push(choice.warning);
  }
  const aws = new AwsRanges(awsData);
  const asnFiles = options.asn ?? { dir: packageDir(ASN_PACKAGE), prefix: 'asn' };
  const countryFiles = options.country ?? { dir: packageDir(COUNTRY_PACKAGE), prefix: 'asn-country' };
  const asnDb = asnFiles ? new AsnDb(asnFiles) : undefined;
  const countryDb = countryFiles ? new CountryDb(countryFiles) : undefined;
  const publicKey = (address: string): AddressKey | undefined => {
    const key = addressKey(address);
    return key && isPublic(key) ? key : undefined;
  };

  const lookup: OwnerLookup = {
    warnings,
    aws,
    awsOwner: (address) => aws.owner(address),
    asnOf(address) {
      const key = publicKey(address);
      return key && asnDb?.lookup(key);
    },
    countryOf(address) {
      const key = publicKey(address);
      return key && countryDb?.lookup(key);
    },
    describeOwner(address) {
      const key = addressKey(address);
      if (!key) return {};
      const owner: AddressOwner = {};
      const awsOwner = aws.owner(key);
      if (awsOwner) owner.aws = awsOwner;
      if (!isPublic(key)) return owner;
      const as = asnDb?.lookup(key);
      if (as) {
        owner.asn = as.asn;
        if (as.org) owner.asOrg = as.org;
      }
      const country = countryDb?.lookup(key);
      if (country) owner.country = country;
      return owner;
    },
    enrichmentSources() {
      const sources: EnrichmentSource[] = [
        {
          name: `AWS ip-ranges.json (syncToken ${awsData.syncToken}, ${awsOrigin === 'bundled' ? 'bundled' : 'refreshed'})`,
          date: awsCreateDateIso(awsData.createDate),
          licence: 'published by AWS for customers to use; no licence stated',
          url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
          attribution: 'Amazon Web Services, ip-ranges.json',
        },
      ];
      if (asnFiles) {
        sources.push({
          ...packageSource(ASN_PACKAGE, asnFiles),
          licence: 'CC-BY-4.0',
          attribution:
            'ASN data by RouteViews (routeviews.org), DB-IP (db-ip.com) and the NRO (nro.net), CC BY 4.0, ' +
            'compiled by ip-location-db; flowhawk drops overlapping ranges',
        });
      }
      if (countryFiles) {
        sources.push({
          ...packageSource(COUNTRY_PACKAGE, countryFiles),
          licence: 'CC0-1.0 (from NRO statistics, CC-BY-4.0)',
          attribution:
            'Country of registration from the NRO (nro.net) RIR statistics, compiled by ip-location-db',
        });
      }
      return sources;
    },
  };
  return lookup;
}

/** Name, date and URL of an ip-location-db package (or of the fixture files standing in for it). */
function packageSource(name: string, files: CsvPair): Pick<EnrichmentSource, 'name' | 'date' | 'url'> {
  const hasManifest = existsSync(join(files.dir, 'package.json'));
  const version = hasManifest ? packageVersion(files.dir) : 'unversioned';
  return {
    name: `${name} ${version}`,
    date: versionDate(version) ?? 'unknown',
    url: IP_LOCATION_DB_URL,
  };
}
