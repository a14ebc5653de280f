import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { type AddressKey, addressKey } from './addressKey.js';
import { COMPACT_FORMAT, type CompactAwsRanges } from './awsCompact.js';
import { AWS_RANGES_FILE } from './dataDir.js';
import { RangeTable } from './rangeTable.js';

/** The AWS service and region an address belongs to, as AWS's ip-ranges.json states them. */
export interface AwsOwner {
  service: string;
  region: string;
  /** Where AWS advertises the range from: the region itself, or a Local/Wavelength Zone in it. */
  networkBorderGroup: string;
}

/** AWS's ranges, unpacked into two range tables; build once per run. */
export class AwsRanges {
  private readonly owners: AwsOwner[];
  private readonly v4: RangeTable;
  private readonly v6: RangeTable;

  constructor(readonly data: CompactAwsRanges) {
    this.owners = data.owners.split(';').map((entry) => {
      const [service = '', region = '', networkBorderGroup = region] = entry.split(',');
      return { service, region, networkBorderGroup };
    });
    this.v4 = unpackTable(data.ipv4, 1);
    this.v6 = unpackTable(data.ipv6, 4);
  }

  /** The owner of `address` (text or an already parsed key), or undefined outside AWS's ranges. */
  owner(address: string | AddressKey): AwsOwner | undefined {
    const key = typeof address === 'string' ? addressKey(address) : address;
    if (!key) return undefined;
    const index = (key.family === 4 ? this.v4 : this.v6).valueOf(key.words);
    return index === undefined ? undefined : this.owners[index];
  }

  /** Every range with its owner, IPv4 then IPv6, ascending: for engines that join on ranges in SQL. */
  *ranges(): Generator<{ family: 4 | 6; first: bigint; last: bigint; owner: AwsOwner }> {
    for (const [family, table] of [
      [4, this.v4],
      [6, this.v6],
    ] as const) {
      for (let i = 0; i < table.size; i++) {
        const owner = this.owners[table.values[i] ?? -1];
        if (!owner) continue;
        yield {
          family,
          first: wordsAt(table.starts, i, table.width),
          last: wordsAt(table.ends, i, table.width),
          owner,
        };
      }
    }
  }
}

/** The `i`th address of a range table's `width`-word array, as one number. */
function wordsAt(words: Uint32Array, i: number, width: number): bigint {
  let value = 0n;
  for (let w = 0; w < width; w++) value = (value << 32n) | BigInt(words[i * width + w] ?? 0);
  return value;
}

/** Inverse of awsCompact's packTable. */
function unpackTable(packed: string, width: 1 | 4): RangeTable {
  const bytes = inflateRawSync(Buffer.from(packed, 'base64'));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  const read = (first: number, count: number) => {
    const words = new Uint32Array(count);
    for (let i = 0; i < count; i++) words[i] = view.getUint32(4 * (first + i), true);
    return words;
  };
  return new RangeTable(
    width,
    read(1, n * width),
    read(1 + n * width, n * width),
    read(1 + 2 * n * width, n),
  );
}

/** Which AWS ranges a run uses and why (the report says the date). */
export interface AwsRangesChoice {
  data: CompactAwsRanges;
  /** `bundled`, or the path of the refreshed file. */
  origin: string;
  /** Why a refreshed file was passed over, if it was. */
  warning?: string;
}

/**
 * The newer of the bundled snapshot and the one `update-data` stored in `dataDir` (AWS's syncToken is
 * the publication time in seconds, so newer means a larger token). A damaged refreshed file is passed
 * over with a warning rather than failing the scan that wanted an enrichment.
 */
export async function chooseAwsRanges(dataDir: string | undefined): Promise<AwsRangesChoice> {
  const { BUNDLED_AWS_RANGES } = await import('./data/awsIpRanges.js');
  const bundled: AwsRangesChoice = { data: BUNDLED_AWS_RANGES, origin: 'bundled' };
  if (!dataDir) return bundled;
  const path = join(dataDir, AWS_RANGES_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return bundled;
    return {
      ...bundled,
      warning: `${path} unreadable (${(error as Error).message}); using the bundled AWS ranges`,
    };
  }
  let refreshed: CompactAwsRanges;
  try {
    refreshed = JSON.parse(text) as CompactAwsRanges;
    if (refreshed.format !== COMPACT_FORMAT) throw new Error(`format is ${JSON.stringify(refreshed.format)}`);
  } catch (error) {
    return {
      ...bundled,
      warning: `${path} is damaged (${(error as Error).message}); using the bundled AWS ranges, run \`flowhawk update-data\` to replace it`,
    };
  }
  return Number(refreshed.syncToken) > Number(BUNDLED_AWS_RANGES.syncToken)
    ? { data: refreshed, origin: path }
    : bundled;
}
