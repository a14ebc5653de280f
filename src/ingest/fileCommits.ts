import type { DuckDBConnection } from '@duckdb/node-api';
import { PER_FILE_TABLES } from '../store/schema.js';
import type { ReaderBadLine } from './summary.js';
import type { VpcLoader } from './vpcLoader.js';

/** Stores the readers' bad lines of files being committed (at most a few hundred per file). */
export async function insertBadLines(
  connection: DuckDBConnection,
  rows: readonly ReaderBadLine[],
): Promise<void> {
  for (let at = 0; at < rows.length; at += 500) {
    const values = rows.slice(at, at + 500).map((b) => [b.fileId, b.line, b.reason, b.excerpt]);
    const placeholders = values.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`);
    await connection.run(`INSERT INTO bad_lines VALUES ${placeholders.join(', ')}`, values.flat());
  }
}

/**
 * After a failed file: loads what the other files left buffered, then removes the failed files' rows,
 * so that running again (with a higher cap, say) reads them instead of skipping them as known.
 * Errors here are secondary to the failure being reported, and are not allowed to hide it.
 */
export async function abandon(loader: VpcLoader, meta: DuckDBConnection, fileIds: number[]): Promise<void> {
  try {
    await loader.finish();
  } catch {
    // the store's own failure: the first error already says what went wrong
  }
  for (const table of PER_FILE_TABLES) {
    await meta.run(`DELETE FROM ${table} WHERE file_id IN (${fileIds.join(', ')})`).catch(() => undefined);
  }
}
