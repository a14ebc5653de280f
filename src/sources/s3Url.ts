import { FlowhawkError } from '../errors.js';

/** A bucket and a key prefix, from `s3://bucket/prefix`. */
export interface S3Location {
  bucket: string;
  /** '' for the whole bucket; a prefix ending in '/' is a folder, anything else a key prefix */
  prefix: string;
}

const SCHEME = /^s3:\/\//i;

export function isS3Url(text: string): boolean {
  return SCHEME.test(text);
}

/** The bucket and prefix of an s3:// URL; a USAGE error for one without a bucket name. */
export function parseS3Url(text: string): S3Location {
  const rest = text.replace(SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '' || /\s/.test(bucket)) {
    throw new FlowhawkError(
      'USAGE',
      `${text}: not an S3 location`,
      'write s3://BUCKET/PREFIX/, e.g. s3://my-flow-logs/AWSLogs/',
    );
  }
  return { bucket, prefix };
}

/** How an object is named wherever a file path appears (summary, evidence, bad lines). */
export function s3Name(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
