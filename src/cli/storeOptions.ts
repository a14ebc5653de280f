import type { Command } from 'commander';
import { BYTE_SIZE_FORMS, BYTE_SIZE_UNITS_NOTE, parseByteSize } from '../byteSize.js';
import type { FlowhawkConfig } from '../config/config.js';
import { FlowhawkError } from '../errors.js';
import { duckdbBytes, type StoreOptions } from '../store/duckdbStore.js';

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
