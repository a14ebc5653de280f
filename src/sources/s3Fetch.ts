import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Error, s3Failure } from './s3Errors.js';
import type { S3Object } from './s3Listing.js';
import { s3Name } from './s3Url.js';

/** Objects downloaded ahead of the reader: S3's latency hides behind the parsing of earlier ones. */
const DOWNLOADS_AHEAD = 4;

/** An object on local disk, or why it could not be fetched (the run goes on without it). */
export type Fetched = { path: string } | { refused: S3Error };

/**
 * Downloads the objects of a run to a scratch folder, a few ahead of the one asked for, streaming
 * each body to its file (memory stays at the stream buffers, disk at the objects in flight). The
 * readers then see a file: they hash it before reading, to skip content already stored, and re-read
 * a damaged gzip object from an offset to keep what precedes the damage, which an HTTP body cannot do.
 * GetObject is made with If-Match on the listed ETag, so what is read is the version that was listed.
 */
export class S3Downloads {
  private readonly started = new Map<number, Promise<Fetched>>();

  constructor(
    private readonly client: S3Client,
    private readonly objects: readonly S3Object[],
    private readonly dir: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** The object at `index` on disk; starts the next few downloads too. */
  fetch(index: number, upcoming: readonly number[]): Promise<Fetched> {
    for (const next of [index, ...upcoming.slice(0, DOWNLOADS_AHEAD - 1)]) this.start(next);
    return this.started.get(index) as Promise<Fetched>;
  }

  /** Removes the object's file once read (or skipped). */
  async release(index: number): Promise<void> {
    const fetched = this.started.get(index);
    this.started.delete(index);
    const done = await fetched?.catch(() => undefined);
    if (done && 'path' in done) await rm(done.path, { force: true });
  }

  /** Removes whatever is still downloaded or downloading (a run stopped or failed). */
  async close(): Promise<void> {
    await Promise.all([...this.started.keys()].map((index) => this.release(index)));
  }

  private start(index: number): void {
    const object = this.objects[index];
    if (object === undefined || this.started.has(index)) return;
    const download = this.download(index, object);
    // a download started ahead and never awaited (the run stopped) must not become an unhandled rejection
    download.catch(() => undefined);
    this.started.set(index, download);
  }

  private async download(index: number, object: S3Object): Promise<Fetched> {
    const where = s3Name(object.bucket, object.key);
    const path = join(this.dir, `s3-object-${index}`);
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          ...(object.etag ? { IfMatch: object.etag } : {}),
        }),
        this.signal ? { abortSignal: this.signal } : {},
      );
      await pipeline(
        answer.Body as Readable,
        createWriteStream(path),
        this.signal ? { signal: this.signal } : {},
      );
      return { path };
    } catch (error) {
      await rm(path, { force: true });
      const failure = s3Failure(error, { action: 's3:GetObject', where, bucket: object.bucket });
      if (!failure) throw error;
      // one object refused or gone (deleted, rewritten since the listing) costs that object only
      if (failure.code === 'S3_ACCESS_DENIED' || objectGone(error)) return { refused: failure };
      throw failure;
    }
  }
}

function objectGone(error: unknown): boolean {
  const code = (error as { name?: string })?.name;
  return code === 'NoSuchKey' || code === 'PreconditionFailed';
}
