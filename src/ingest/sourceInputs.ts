import type { S3Client } from '@aws-sdk/client-s3';
import type { UnreadableFile } from '../report.js';
import { connectS3, type S3ConnectOptions } from '../sources/s3Client.js';
import { type Fetched, S3Downloads } from '../sources/s3Fetch.js';
import { listS3Objects, type S3Object } from '../sources/s3Listing.js';
import type { S3Filter } from '../sources/s3Partitions.js';
import { isS3Url, parseS3Url, s3Name } from '../sources/s3Url.js';
import { expandInputs, type InputFile } from './inputFiles.js';

/** How s3:// inputs are reached and which of their objects are read. */
export interface S3SourceOptions extends S3ConnectOptions {
  filter?: S3Filter;
}

/** A file to read: a local one, or an object of a bucket (its path then is its s3:// name). */
export interface SourceFile extends InputFile {
  /** the object, and where it stands in the run's downloads */
  s3?: { object: S3Object; index: number };
  /** the stored size, when known without a stat (an object's, from its listing) */
  size?: number;
}

export interface Sources {
  files: SourceFile[];
  unreadable: UnreadableFile[];
  /** fetches the objects of `files` to local files; absent when no input is in S3 */
  downloads?: ObjectDownloads;
}

/** The s3:// side of a run: its files on disk, a few ahead, and the client to close at the end. */
export interface ObjectDownloads {
  fetch(file: SourceFile, upcoming: readonly SourceFile[]): Promise<Fetched>;
  release(file: SourceFile): Promise<void>;
  close(): Promise<void>;
}

/**
 * Expands the inputs: local paths as expandInputs does (first, in one walk, so that a file reached
 * twice is read once), then each s3:// location's objects as its listing returns them (key order),
 * each shown and recorded as s3://bucket/key. Objects are walked like a folder's files: one that is
 * not a flow log is skipped with a note rather than read as bad lines.
 */
export async function expandSources(
  paths: readonly string[],
  s3: S3SourceOptions,
  scratchDir: string,
  signal?: AbortSignal,
): Promise<Sources> {
  const local = paths.filter((p) => !isS3Url(p));
  const remote = paths.filter(isS3Url);
  const { files, unreadable } = local.length > 0 ? await expandInputs(local) : { files: [], unreadable: [] };
  if (remote.length === 0) return { files, unreadable };
  const client = await connectS3(s3);
  const objects: S3Object[] = [];
  try {
    for (const url of remote) objects.push(...(await listS3Objects(client, parseS3Url(url), s3.filter)));
  } catch (error) {
    client.destroy();
    throw error;
  }
  const found: SourceFile[] = objects.map((object, index) => ({
    path: s3Name(object.bucket, object.key),
    walked: true,
    s3: { object, index },
    size: object.size,
  }));
  return {
    files: [...files, ...found],
    unreadable,
    downloads: downloadsOf(client, objects, scratchDir, signal),
  };
}

function downloadsOf(
  client: S3Client,
  objects: readonly S3Object[],
  scratchDir: string,
  signal?: AbortSignal,
): ObjectDownloads {
  const downloads = new S3Downloads(client, objects, scratchDir, signal);
  const indexOf = (file: SourceFile) => file.s3?.index ?? -1;
  return {
    fetch: (file, upcoming) =>
      downloads.fetch(
        indexOf(file),
        upcoming.map(indexOf).filter((i) => i >= 0),
      ),
    release: (file) => downloads.release(indexOf(file)),
    close: async () => {
      await downloads.close();
      client.destroy();
    },
  };
}
