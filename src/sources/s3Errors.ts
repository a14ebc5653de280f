import { FlowhawkError } from '../errors.js';

/** An S3 failure; `reason` is the message without the location, for lists that name it already. */
export class S3Error extends FlowhawkError {
  constructor(
    code: string,
    readonly where: string,
    readonly reason: string,
    hint: string,
  ) {
    super(code, `${where}: ${reason}`, hint);
  }
}

/** What was being done when S3 answered with an error: the IAM action, and on what. */
export interface S3Attempt {
  action: 's3:ListBucket' | 's3:GetObject';
  /** s3://bucket/prefix or s3://bucket/key */
  where: string;
  bucket: string;
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'RequestExpired',
  'InvalidToken',
]);

const BAD_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidClientTokenId']);

function codeOf(error: unknown): string {
  const e = error as SdkError;
  return e?.Code ?? e?.name ?? '';
}

/**
 * An S3 failure as the user should read it: what was refused or missing, where, and what to do.
 * Undefined for errors that are not S3's answers (a bug, the disk full), which keep their own stack.
 */
export function s3Failure(error: unknown, at: S3Attempt): S3Error | undefined {
  const code = codeOf(error);
  const status = (error as SdkError)?.$metadata?.httpStatusCode;
  if (code === 'AccessDenied' || (status === 403 && !BAD_CREDENTIALS.has(code) && !EXPIRED.has(code))) {
    return new S3Error(
      'S3_ACCESS_DENIED',
      at.where,
      `access denied (${at.action})`,
      at.action === 's3:ListBucket'
        ? `the credentials need s3:ListBucket on arn:aws:s3:::${at.bucket} for this prefix (README: "Reading from S3" has the policy); --profile picks other credentials`
        : `the credentials need s3:GetObject on arn:aws:s3:::${at.bucket}/* (and kms:Decrypt if the bucket uses a KMS key); --profile picks other credentials`,
    );
  }
  if (code === 'NoSuchBucket') {
    return new S3Error(
      'S3_NO_SUCH_BUCKET',
      `s3://${at.bucket}`,
      'no such bucket',
      'check the bucket name in the s3:// URL (the name only, without region or ARN)',
    );
  }
  if (EXPIRED.has(code)) {
    return new S3Error(
      'S3_CREDENTIALS_EXPIRED',
      at.where,
      `the AWS credentials have expired (${code})`,
      'renew them (aws sso login, or new temporary credentials) and run again; a workspace keeps what was read',
    );
  }
  if (BAD_CREDENTIALS.has(code)) {
    return new S3Error(
      'S3_CREDENTIALS_INVALID',
      at.where,
      `the AWS credentials were refused (${code})`,
      'check the access key and secret (environment, --profile, ~/.aws/credentials) and, for an S3-compatible store, --endpoint-url',
    );
  }
  if ((error as Error)?.name === 'CredentialsProviderError') {
    return new S3Error(
      'S3_NO_CREDENTIALS',
      at.where,
      `no AWS credentials found (${(error as Error).message})`,
      'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use --profile NAME, or run where a role is attached',
    );
  }
  if (code === 'SlowDown' || status === 503) {
    return new S3Error(
      'S3_THROTTLED',
      at.where,
      `S3 kept asking to slow down (${code || status}), even after retries with backoff`,
      'run again later, or narrow the listing with --since/--until, --account or --region',
    );
  }
  if (status !== undefined) {
    return new S3Error(
      'S3_ERROR',
      at.where,
      `${at.action} failed: ${code || `HTTP ${status}`}${(error as SdkError).message ? `: ${(error as SdkError).message}` : ''}`,
      'check the URL, the credentials and, for an S3-compatible store, --endpoint-url',
    );
  }
  const network = (error as NodeJS.ErrnoException)?.code;
  if (network === 'ECONNREFUSED' || network === 'ENOTFOUND' || network === 'ETIMEDOUT') {
    return new S3Error(
      'S3_UNREACHABLE',
      at.where,
      `S3 could not be reached (${network}: ${(error as Error).message})`,
      'check the network and, for an S3-compatible store, --endpoint-url',
    );
  }
  return undefined;
}
