import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowhawkError } from '../errors.js';
import { awsCreateDateIso, compactAwsRanges, parseAwsIpRanges } from './awsCompact.js';
import { AWS_RANGES_FILE, defaultDataDir } from './dataDir.js';

/** Where AWS publishes the current ranges (AWS documents this address). */
export const AWS_RANGES_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json';

/** Seconds to wait for the download: the file is about 2.5 MB, so a minute means the network is not there. */
const DOWNLOAD_TIMEOUT_SECONDS = 60;

export interface UpdateAwsRangesOptions {
  url?: string;
  /** Directory to write into; default `defaultDataDir()`. */
  dataDir?: string;
  timeoutSeconds?: number;
}

export interface UpdateAwsRangesResult {
  path: string;
  syncToken: string;
  /** AWS's createDate as ISO 8601. */
  createDate: string;
  bytes: number;
}

/**
 * Downloads AWS's ip-ranges.json, checks it, compacts it as the bundled snapshot is compacted, and
 * stores it in the data directory, where `loadOwnerLookup` prefers it to the bundled snapshot when
 * newer. The file is written beside its final name and renamed over it, so a scan running meanwhile
 * reads the old file or the new one, never half of one.
 */
export async function updateAwsRanges(options: UpdateAwsRangesOptions = {}): Promise<UpdateAwsRangesResult> {
  const url = options.url ?? AWS_RANGES_URL;
  const dataDir = options.dataDir ?? defaultDataDir();
  const json = await download(url, options.timeoutSeconds ?? DOWNLOAD_TIMEOUT_SECONDS);
  const compact = compactAwsRanges(parseAwsIpRanges(json, url), url);
  const text = `${JSON.stringify(compact)}\n`;
  const path = join(dataDir, AWS_RANGES_FILE);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new FlowhawkError(
      'ENRICHMENT_DATA',
      `cannot write ${path}: ${(error as Error).message}`,
      'choose a writable directory with --data-dir, or set FLOWHAWK_DATA_DIR',
    );
  }
  return {
    path,
    syncToken: compact.syncToken,
    createDate: awsCreateDateIso(compact.createDate),
    bytes: Buffer.byteLength(text),
  };
}

async function download(url: string, timeoutSeconds: number): Promise<unknown> {
  const hint = 'check the network (or a proxy) and the URL; the bundled snapshot stays in use meanwhile';
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new FlowhawkError('ENRICHMENT_DATA', `cannot download ${url}: ${cause}`, hint);
  }
  if (!response.ok) {
    throw new FlowhawkError(
      'ENRICHMENT_DATA',
      `cannot download ${url}: HTTP ${response.status} ${response.statusText}`,
      hint,
    );
  }
  const body = await response.text();
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new FlowhawkError(
      'ENRICHMENT_DATA',
      `${url} did not return JSON (${(error as Error).message}; it starts ${JSON.stringify(body.slice(0, 40))})`,
      "check the URL: it should serve AWS's ip-ranges.json",
    );
  }
}
