import type { Command } from 'commander';
import { BYTE_SIZE_FORMS, BYTE_SIZE_UNITS_NOTE, parseByteSize } from '../byteSize.js';
import type { FlowhawkConfig } from '../config/config.js';
import { FlowhawkError } from '../errors.js';
import { parseTimeBound } from '../sources/timeBound.js';
import { isClickhouseUrl } from '../store/clickhouse/storeUrl.js';
import { duckdbBytes, type StoreOptions } from '../store/duckdbStore.js';
import type { TimeRange } from '../store/store.js';

// where a scan without a workspace keeps its flows is the scan's choice (src/scan.ts)
export { SCAN_IN_MEMORY_BYTES, scanNeedsScratchFile } from '../scan.js';

/** The options every command that opens a store shares. */
export interface StoreFlags {
  workspace?: string;
  memoryLimit?: string;
  tempDir?: string;
}

/** Adds --memory-limit and --temp-dir to a command. */
export function storeOptions(command: Command): Command {
  return command
    .option(
      '--memory-limit <size>',
      `most memory the database may hold, loading and analysing; beyond it, it spills to --temp-dir (default: 400MiB loading, 1GiB analysing; ${BYTE_SIZE_UNITS_NOTE}; also "memoryLimit" in the config)`,
    )
    .option(
      '--temp-dir <dir>',
      'folder for batch and spill files, which can grow to the size of the logs (default: the system temp folder; also "tempDir" in the config)',
    );
}

/** The store's options from the flags, the config filling in what the flags leave out. */
export function storeOptionsFrom(
  flags: StoreFlags,
  config?: Pick<FlowhawkConfig, 'memoryLimit' | 'tempDir'>,
): StoreOptions {
  const bytes = flags.memoryLimit === undefined ? config?.memoryLimit : sizeFlag(flags.memoryLimit);
  const tempDir = flags.tempDir ?? config?.tempDir;
  return {
    ...(flags.workspace ? { workspace: flags.workspace } : {}),
    ...(bytes === undefined
      ? {}
      : { memoryLimit: duckdbBytes(bytes), analysisMemoryLimit: duckdbBytes(bytes) }),
    ...(tempDir === undefined ? {} : { tempDir }),
  };
}

function sizeFlag(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined) {
    throw new FlowhawkError('USAGE', `--memory-limit ${text} is not a size`, `write ${BYTE_SIZE_FORMS}`);
  }
  return bytes;
}

/** The flag naming a ClickHouse store. */
export interface StoreUrlFlags {
  store?: string;
}

/** Adds --store to a command that analyses. */
export function storeUrlOption(command: Command): Command {
  return command.option(
    '--store <url>',
    'analyse in ClickHouse: clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] (password also from FLOWHAWK_CLICKHOUSE_PASSWORD), or chdb:///dir for the embedded engine (the chdb package); the paths read are added to it first',
  );
}

/**
 * The analysed span from --since/--until (the flags s3Flags adds, which also prune s3:// listings):
 * the same forms, an ISO time or a duration before now, or Unix seconds.
 */
export function rangeFrom(
  flags: { since?: string; until?: string },
  now: Date = new Date(),
): TimeRange | undefined {
  const since = flags.since === undefined ? undefined : timeFlag('--since', flags.since, now);
  const until = flags.until === undefined ? undefined : timeFlag('--until', flags.until, now);
  if (since !== undefined && until !== undefined && until <= since) {
    throw new FlowhawkError(
      'USAGE',
      `--until ${flags.until} is not after --since ${flags.since}`,
      'give a span that is not empty',
    );
  }
  return since === undefined && until === undefined
    ? undefined
    : { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

/** The ClickHouse store URL of --store (else the config's "store"), checked to be one. */
export function clickhouseFrom(
  flags: StoreUrlFlags,
  config?: Pick<FlowhawkConfig, 'store'>,
): string | undefined {
  const url = flags.store ?? config?.store;
  if (url === undefined) return undefined;
  if (!isClickhouseUrl(url)) {
    throw new FlowhawkError(
      'USAGE',
      `--store ${url} is not a ClickHouse store URL`,
      'write clickhouse://host/database or chdb:///dir (a DuckDB file is --workspace)',
    );
  }
  return url;
}

function timeFlag(flag: string, text: string, now: Date): number {
  return parseTimeBound(text, flag, now).getTime() / 1000;
}
