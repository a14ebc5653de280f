import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import S3rver from 's3rver';

/**
 * The test S3 server, in a process of its own (test/helpers/s3Server.ts starts it). s3rver makes its
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider: the
 * process runs with --openssl-legacy-provider, which the tests' own processes need not.
 *
 * Beside S3's routes it answers /__test/…: the log of the requests seen, and a "bucket policy" (keys
 * whose GetObject is refused with AccessDenied, prefixes whose listing is, and a number of requests to
 * answer 503 SlowDown first, a delay before each GetObject). Prints {"port": N} on standard output once listening.
 */

interface Seen {
  method: string;
  path: string;
  query: string;
  answered?: number;
}

interface Policy {
  denyGet?: string;
  denyList?: string;
  throttle?: number;
  delayGetMs?: number;
}

interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  status: number;
  type: string;
  body: unknown;
  req: NodeJS.ReadableStream;
}

const directory = process.argv[2];
if (!directory) throw new Error('usage: s3rverProcess.ts DIRECTORY');
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
const seen: Seen[] = [];
let policy: Policy = {};

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function bodyOf(ctx: KoaContext): Promise<string> {
  let text = '';
  for await (const chunk of ctx.req) text += String(chunk);
  return text;
}

function refusal(ctx: KoaContext, request: Seen): [number, string, string] | undefined {
  const query = new URLSearchParams(ctx.querystring);
  const [, , ...rest] = request.path.split('/');
  const key = rest.join('/');
  const listing = ctx.method === 'GET' && query.get('list-type') === '2';
  if ((policy.throttle ?? 0) > 0) {
    policy.throttle = (policy.throttle ?? 0) - 1;
    return [503, 'SlowDown', 'Please reduce your request rate.'];
  }
  if (listing && policy.denyList && new RegExp(policy.denyList).test(query.get('prefix') ?? '')) {
    return [403, 'AccessDenied', 'Access Denied'];
  }
  if (
    ctx.method === 'GET' &&
    !listing &&
    key !== '' &&
    policy.denyGet &&
    new RegExp(policy.denyGet).test(key)
  ) {
    return [403, 'AccessDenied', 'Access Denied'];
  }
  return undefined;
}

// before s3rver's own middleware: Koa composes the array when the server starts listening
(server as unknown as { middleware: unknown[] }).middleware.unshift(
  async (ctx: KoaContext, next: () => Promise<void>) => {
    if (ctx.path === '/__test/requests') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(seen);
      return;
    }
    if (ctx.path === '/__test/policy') {
      policy = JSON.parse(await bodyOf(ctx)) as Policy;
      ctx.status = 204;
      return;
    }
    const request: Seen = { method: ctx.method, path: decodeURIComponent(ctx.path), query: ctx.querystring };
    seen.push(request);
    const refused = refusal(ctx, request);
    if (!refused) {
      const getting =
        ctx.method === 'GET' && !ctx.querystring.includes('list-type') && /^\/[^/]+\/./.test(request.path);
      if (getting && (policy.delayGetMs ?? 0) > 0) await new Promise((r) => setTimeout(r, policy.delayGetMs));
      return next();
    }
    request.answered = refused[0];
    ctx.status = refused[0];
    ctx.type = 'application/xml';
    ctx.body = errorXml(refused[1], refused[2]);
  },
);

interface ListOptions {
  prefix?: string;
  delimiter?: string;
}
interface ListResult {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
type ListObjects = (bucket: string, options: ListOptions) => Promise<ListResult>;

/**
 * s3rver 3.7.1 (and its fork @20minutes/s3rver 4.0.4) leaves out of a '/'-delimited listing every key
 * more than two folders below the prefix: its folder walk stops beneath the first common prefix, so
 * `AWSLogs/` never shows in a listing of the bucket's root. Its objects at the prefix's own level are
 * right; the folders are added from its storage folder (one folder per key folder), as S3 lists them.
 */
function listFoldersAsS3Does(): void {
  const store = (server as unknown as { store: { listObjects: ListObjects } }).store;
  const own = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const result = await own(bucket, options);
    if (options.delimiter !== '/') return result;
    const prefix = options.prefix ?? '';
    const parent = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const start = prefix.slice(parent.length);
    let names: string[] = [];
    try {
      names = readdirSync(join(directory as string, bucket, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name.startsWith(start))
        .map((entry) => `${parent}${entry.name}/`);
    } catch {
      // no such folder: nothing below the prefix
    }
    const folders = new Set([...result.commonPrefixes, ...names]);
    return { ...result, commonPrefixes: [...folders].sort() };
  };
}

listFoldersAsS3Does();
const address = (await server.run()) as AddressInfo;
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
