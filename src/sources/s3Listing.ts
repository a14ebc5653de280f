import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { s3Failure } from './s3Errors.js';
import { decidePrefix, filters, keyWanted, type S3Filter } from './s3Partitions.js';
import { type S3Location, s3Name } from './s3Url.js';

/** One object a listing found. */
export interface S3Object {
  bucket: string;
  key: string;
  /** as S3 gives it, quotes included: with the size, what a re-run compares */
  etag: string;
  size: number;
}

/** Folders listed at once: sibling day or hour folders, when a window spans several. */
const CONCURRENT_LISTINGS = 4;

/**
 * The objects under an s3:// location that the filter lets through, in key order. Without a filter
 * the prefix is listed flat (a thousand keys a request); with one, folder by folder ('/' as the
 * delimiter), leaving out every folder of the two AWS layouts that the window, accounts or regions
 * rule out, until a folder holds nothing left to rule out, which is then listed flat. Keys of hidden
 * files ('.'-prefixed names, as a local walk skips them) and folder markers are left out.
 */
export async function listS3Objects(
  client: S3Client,
  location: S3Location,
  filter: S3Filter = {},
): Promise<S3Object[]> {
  const found: S3Object[] = [];
  const keep = (objects: readonly S3Object[]) => {
    for (const o of objects) if (!hidden(o.key) && keyWanted(o.key, filter)) found.push(o);
  };
  if (!filters(filter)) {
    keep((await listLevel(client, location.bucket, location.prefix, false)).objects);
  } else {
    let level = [location.prefix];
    while (level.length > 0) {
      const next: string[] = [];
      for (let at = 0; at < level.length; at += CONCURRENT_LISTINGS) {
        const batch = level.slice(at, at + CONCURRENT_LISTINGS);
        const listed = await Promise.all(
          batch.map((prefix) =>
            listLevel(client, location.bucket, prefix, decidePrefix(prefix, filter) !== 'all'),
          ),
        );
        for (const { objects, folders } of listed) {
          keep(objects);
          next.push(...folders.filter((folder) => decidePrefix(folder, filter) !== 'skip'));
        }
      }
      level = next;
    }
  }
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One prefix, every page of it: its objects, and its subfolders when listed with a delimiter. */
async function listLevel(
  client: S3Client,
  bucket: string,
  prefix: string,
  byFolder: boolean,
): Promise<{ objects: S3Object[]; folders: string[] }> {
  const objects: S3Object[] = [];
  const folders: string[] = [];
  const pages = paginateListObjectsV2(
    { client },
    { Bucket: bucket, Prefix: prefix, ...(byFolder ? { Delimiter: '/' } : {}) },
  );
  try {
    for await (const page of pages) {
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue;
        objects.push({ bucket, key: o.Key, etag: o.ETag ?? '', size: o.Size ?? 0 });
      }
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) folders.push(p.Prefix);
    }
  } catch (error) {
    throw s3Failure(error, { action: 's3:ListBucket', where: s3Name(bucket, prefix), bucket }) ?? error;
  }
  return { objects, folders };
}

function hidden(key: string): boolean {
  return key.split('/').some((part) => part.startsWith('.'));
}
