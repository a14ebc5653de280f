import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { BYTE_SIZE_FORMS, BYTE_SIZE_UNITS_NOTE, parseByteSize } from '../byteSize.js';
import type { FlowhawkConfig } from '../config/config.js';
import { FlowhawkError } from '../errors.js';
import { expandInputs } from '../ingest/inputFiles.js';
import { duckdbBytes, type StoreOptions } from '../store/duckdbStore.js';

/**
 * A scan without a workspace keeps its flows in memory only while the input is smaller than this (on
 * disk, gzip or not): in memory DuckDB cannot spill table data, and at about 170 MB of RAM per million
 * records a 30-million-record scan ran out of memory while reading (10 million took 2.3 GB). Above
 * it, the flows go to a database file in the scratch folder, deleted at the end.
 */
export const SCAN_IN_MEMORY_BYTES = 32 * 1024 ** 2;

/** Whether a scan of these paths without a workspace should keep its flows in a scratch file. */
export async function scanNeedsScratchFile(paths: readonly string[]): Promise<boolean> {
  const { files } = await expandInputs(paths);
  let bytes = 0;
  for (const file of files) {
    // standard input and pipes have no size to go by: they may be any length
    if (file.path === '-') return true;
    const info = await stat(file.path).catch(() => undefined);
    if (info && !info.isFile()) return true;
    bytes += info?.size ?? 0;
    if (bytes >= SCAN_IN_MEMORY_BYTES) return true;
  }
  return false;
}

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
