import type { DuckDBConnection } from '@duckdb/node-api';
import { PER_FILE_TABLES } from '../store/schema.js';
import type { SourceFile } from './sourceInputs.js';

/**
 * What a workspace already holds of the S3 objects a listing found. A listing gives each object's
 * ETag and size, which ingested_files records when the object is read: an object listed with the
 * ETag and size it was stored with is skipped before it is downloaded (a re-run of a bucket costs
 * its listing, not its bytes); one stored with another ETag was rewritten, and is read again, its
 * old rows replaced when the new ones are committed.
 */

/** An object a run reads, and the files an earlier version of it left in the store. */
export interface ObjectPlan {
  /** the files to read, in the order given: local files, new objects, rewritten objects */
  files: SourceFile[];
  /** objects stored with the same ETag and size: not downloaded */
  unchanged: SourceFile[];
  /** for a rewritten object (by its s3:// name), the file ids of the version stored */
  replaces: Map<string, number[]>;
}

interface StoredRow {
  file_id: number;
  path: string;
  etag: string | null;
  size_bytes: bigint | number | null;
}

/** Sorts the run's files into those to read and the objects the store holds unchanged. */
export async function planObjects(
  meta: DuckDBConnection,
  files: readonly SourceFile[],
  nameOf: (path: string) => string,
): Promise<ObjectPlan> {
  const plan: ObjectPlan = { files: [], unchanged: [], replaces: new Map() };
  if (!files.some((f) => f.s3)) return { ...plan, files: [...files] };
  // one query for the run, not one per object: a bucket can hold hundreds of thousands
  const rows = (
    await meta.runAndReadAll(
      "SELECT file_id, path, etag, size_bytes FROM ingested_files WHERE path LIKE 's3://%' AND complete IS NOT false",
    )
  ).getRowObjectsJS() as unknown as StoredRow[];
  const stored = new Map<string, StoredRow[]>();
  for (const row of rows) stored.set(row.path, [...(stored.get(row.path) ?? []), row]);
  for (const file of files) {
    const versions = file.s3 ? stored.get(nameOf(file.path)) : undefined;
    if (!file.s3 || !versions) {
      plan.files.push(file);
      continue;
    }
    const { etag, size } = file.s3.object;
    // a store that lists no ETag gives nothing to compare: its objects are hashed after download
    const same = etag !== '' && versions.some((v) => v.etag === etag && Number(v.size_bytes) === size);
    if (same) plan.unchanged.push(file);
    else {
      plan.replaces.set(
        nameOf(file.path),
        versions.map((v) => Number(v.file_id)),
      );
      plan.files.push(file);
    }
  }
  return plan;
}

/**
 * Removes the stored versions of rewritten objects. Called in the transaction that marks the new
 * versions complete, so that a run stopped at any point leaves either the old rows or the new ones,
 * never both and never neither (an unfinished new version is removed on the next open, and the
 * object, still stored with its old ETag, is read again).
 */
export async function dropReplaced(connection: DuckDBConnection, fileIds: readonly number[]): Promise<void> {
  if (fileIds.length === 0) return;
  for (const table of PER_FILE_TABLES) {
    await connection.run(`DELETE FROM ${table} WHERE file_id IN (${fileIds.join(', ')})`);
  }
}

/**
 * A rewritten object whose bytes are those already stored under its name (S3 gives a re-upload of the
 * same bytes a new ETag when the parts differ): nothing to read again, only its new ETag to record.
 */
export async function recordNewEtag(
  connection: DuckDBConnection,
  fileIds: readonly number[],
  etag: string,
  size: number,
): Promise<void> {
  if (fileIds.length === 0) return;
  await connection.run(
    `UPDATE ingested_files SET etag = $1, size_bytes = $2 WHERE file_id IN (${fileIds.join(', ')})`,
    [etag, size],
  );
}

/**
 * A rewritten object whose new bytes are already stored: under its own name (a re-upload of the same
 * bytes), only the new ETag is recorded; under another name, its old rows go, as it no longer holds them.
 */
export async function rewrittenAsKnown(
  meta: DuckDBConnection,
  older: readonly number[] | undefined,
  sameName: boolean,
  etag: string | null,
  size: number,
): Promise<void> {
  if (!older || etag === null) return;
  if (sameName) return recordNewEtag(meta, older, etag, size);
  await meta.run('BEGIN TRANSACTION');
  try {
    await dropReplaced(meta, older);
    await meta.run('COMMIT');
  } catch (error) {
    await meta.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
