import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** One pass over the stored bytes: content hash, size and the first bytes (for the Parquet magic). */
export async function readFileFacts(path: string): Promise<{ sha256: string; size: number; head: Buffer }> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    if (head.length < 16) head = Buffer.concat([head, bytes.subarray(0, 16 - head.length)]);
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size, head };
}

/** Standard input is copied to the scratch directory first, so it is hashed and read like any file. */
export async function spoolStdin(scratchDir: string): Promise<string> {
  const path = join(scratchDir, 'stdin');
  await pipeline(process.stdin, createWriteStream(path));
  return path;
}
