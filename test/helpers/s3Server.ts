import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * A real S3-compatible server (s3rver, in its own process: test/helpers/s3rverProcess.ts) on
 * 127.0.0.1 for the tests, with the log of the requests it answered and a "bucket policy" the test
 * sets. The SDK talks to it as to S3.
 */
export interface RequestSeen {
  method: string;
  /** the path, bucket first: /bucket/key */
  path: string;
  query: URLSearchParams;
  /** the status the test policy answered with, when it answered instead of s3rver */
  answered?: number;
}

export interface S3Policy {
  /** GetObject of keys matching this (a RegExp source) is refused with AccessDenied */
  denyGet?: string;
  /** listings of prefixes matching this are refused with AccessDenied */
  denyList?: string;
  /** this many requests are answered 503 SlowDown before any is let through */
  throttle?: number;
  /** each GetObject waits this long before s3rver answers it (a slow link, for stopping a run mid-way) */
  delayGetMs?: number;
}

export interface TestS3 {
  url: string;
  client: S3Client;
  createBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  /**
   * Stores an object straight into s3rver's folder, in its own format, without a request: seeding a
   * bucket of hundreds of objects that way takes milliseconds, not seconds. Reads still go through
   * the server (it computes the ETag on first read).
   */
  seed(bucket: string, key: string, body: Buffer | string): void;
  /** uploads every file under `dir`, keyed by its path from `dir` under `prefix`; returns the keys */
  upload(bucket: string, dir: string, prefix?: string): Promise<string[]>;
  policy(policy: S3Policy): Promise<void>;
  /** the requests seen since the last reset: all, ListObjectsV2, GetObject */
  requests(): Promise<RequestSeen[]>;
  lists(): Promise<RequestSeen[]>;
  gets(): Promise<RequestSeen[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The SDK's view of the test server: fake keys s3rver accepts, nothing from the machine's config. */
export function testS3Env(url: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/flowhawk-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/flowhawk-test-aws-credentials',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Variables of the machine that would point the SDK elsewhere; removed for the tests. */
export const FOREIGN_AWS_ENV = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_DEFAULT_REGION',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

/** The environment for a flowhawk subprocess talking to the test server. */
export function childEnv(url: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...testS3Env(url) };
  for (const name of FOREIGN_AWS_ENV) delete env[name];
  return env;
}

/** Sets testS3Env in this process (removing FOREIGN_AWS_ENV); returns the function that restores it. */
export function useTestS3Env(url: string): () => void {
  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const name of FOREIGN_AWS_ENV) set(name, undefined);
  for (const [name, value] of Object.entries(testS3Env(url))) set(name, value);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

const SERVER_MAIN = fileURLToPath(new URL('./s3rverProcess.ts', import.meta.url));

/** How long the server may take to start before the test fails. */
const START_TIMEOUT_MS = 20_000;

async function spawnServer(directory: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', 'tsx', SERVER_MAIN, directory],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test S3 server did not start')), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`the test S3 server exited (${code})`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return { child, port };
}

/**
 * A request to the server's test-control routes. fetch keeps connections alive, and the server may
 * close an idle one just as fetch reuses it ("other side closed", seen on a loaded machine); both
 * routes are idempotent (read the log, set the policy), so the request is sent once more.
 */
async function control(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, init);
  }
}

export async function startS3(): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'flowhawk-s3rver-'));
  const { child, port } = await spawnServer(directory);
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint: url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  let from = 0;
  const all = async (): Promise<RequestSeen[]> => {
    const log = (await (await control(`${url}/__test/requests`)).json()) as (Omit<RequestSeen, 'query'> & {
      query: string;
    })[];
    return log.map((r) => ({ ...r, query: new URLSearchParams(r.query) }));
  };
  const requests = async () => (await all()).slice(from);
  const isList = (r: RequestSeen) => r.method === 'GET' && r.query.get('list-type') === '2';
  const put = async (bucket: string, key: string, body: Buffer | string) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };
  return {
    url,
    client,
    createBucket: async (bucket) => {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    put,
    seed: (bucket, key, body) => {
      const object = join(directory, bucket, `${key}._S3rver_object`);
      mkdirSync(dirname(object), { recursive: true });
      writeFileSync(object, body);
      writeFileSync(
        join(directory, bucket, `${key}._S3rver_metadata.json`),
        JSON.stringify({ 'content-type': 'application/octet-stream' }),
      );
    },
    upload: async (bucket, dir, prefix = '') => {
      const files = filesUnder(dir);
      const keys = files.map((file) => `${prefix}${relative(dir, file).split('\\').join('/')}`);
      for (const [i, file] of files.entries()) await put(bucket, keys[i] as string, readFileSync(file));
      return keys;
    },
    policy: async (policy) => {
      await control(`${url}/__test/policy`, { method: 'POST', body: JSON.stringify(policy) });
    },
    requests,
    lists: async () => (await requests()).filter(isList),
    gets: async () =>
      (await requests()).filter((r) => r.method === 'GET' && !isList(r) && r.path.split('/').length > 2),
    reset: async () => {
      from = (await all()).length;
    },
    close: async () => {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}
