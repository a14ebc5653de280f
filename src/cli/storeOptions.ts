import type { Command } from 'commander';
import { BYTE_SIZE_FORMS, BYTE_SIZE_UNITS_NOTE, parseByteSize } from '../byteSize.js';
import type { FlowhawkConfig } from '../config/config.js';
import { FlowhawkError } from '../errors.js';
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

/** The flags of the analysed span and of a ClickHouse store. */
export interface RangeFlags {
  since?: string;
  until?: string;
  store?: string;
}

/** Adds --since, --until and --store to a command that analyses. */
export function rangeOptions(command: Command): Command {
  return command
    .option('--since <time>', 'analyse only flows starting at or after this time (ISO 8601, or Unix seconds)')
    .option('--until <time>', 'analyse only flows starting before this time (ISO 8601, or Unix seconds)')
    .option(
      '--store <url>',
      'analyse in ClickHouse: clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] (password also from FLOWHAWK_CLICKHOUSE_PASSWORD), or chdb:///dir for the embedded engine (the chdb package); the paths read are added to it first',
    );
}

/** The span from --since/--until; throws a usage error for a time it cannot read. */
export function rangeFrom(flags: RangeFlags): TimeRange | undefined {
  const since = flags.since === undefined ? undefined : timeFlag('--since', flags.since);
  const until = flags.until === undefined ? undefined : timeFlag('--until', flags.until);
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

/** The ClickHouse store URL of --store, checked to be one. */
export function clickhouseFrom(flags: RangeFlags): string | undefined {
  if (flags.store === undefined) return undefined;
  if (!isClickhouseUrl(flags.store)) {
    throw new FlowhawkError(
      'USAGE',
      `--store ${flags.store} is not a ClickHouse store URL`,
      'write clickhouse://host/database or chdb:///dir (a DuckDB file is --workspace)',
    );
  }
  return flags.store;
}

function timeFlag(flag: string, text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds)) {
    throw new FlowhawkError(
      'USAGE',
      `${flag} ${text} is not a time`,
      'write 2024-03-11, 2024-03-11T06:00:00Z or Unix seconds',
    );
  }
  return seconds;
}
