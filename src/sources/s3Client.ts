import { S3Client } from '@aws-sdk/client-s3';

/** How to reach S3: everything optional, the SDK's default credential chain and config fill in. */
export interface S3ConnectOptions {
  /** a profile of the shared config and credentials files (else AWS_PROFILE, else the default) */
  profile?: string;
  /** an S3-compatible store (MinIO, Ceph, a test server); else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL */
  endpointUrl?: string;
}

/**
 * Throttling (503 SlowDown) and dropped connections are retried by the SDK's standard strategy, with
 * exponential backoff and jitter; a bucket being listed by many readers at once needs more than its
 * default three attempts.
 */
const MAX_ATTEMPTS = 8;

/** Where a listing starts when nothing names a region: the bucket's own is found from its redirect. */
const FALLBACK_REGION = 'us-east-1';

/** The endpoint of an S3-compatible store, when one is configured. */
export function endpointFor(options: S3ConnectOptions): string | undefined {
  return options.endpointUrl ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? undefined;
}

/**
 * A client for the buckets of one run. The bucket's region is found automatically (the SDK follows
 * S3's redirect to it), so the configured region only has to exist; S3-compatible stores are
 * addressed path-style, since their buckets rarely have DNS names of their own.
 */
export async function connectS3(options: S3ConnectOptions = {}): Promise<S3Client> {
  const endpoint = endpointFor(options);
  const base = {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    followRegionRedirects: true,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
  } as const;
  const client = new S3Client(base);
  const hasRegion = await client.config.region().then(
    (region) => region !== '',
    () => false,
  );
  if (hasRegion) return client;
  client.destroy();
  return new S3Client({ ...base, region: FALLBACK_REGION });
}
