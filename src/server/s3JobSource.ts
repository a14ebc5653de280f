import type { FlowhawkError } from '../errors.js';
import type { S3SourceOptions } from '../ingest/sourceInputs.js';
import { parseS3Url } from '../sources/s3Url.js';
import { parseTimeWindow } from '../sources/timeBound.js';
import type { TimeRange } from '../store/store.js';
import type { S3JobRequest, S3JobSource } from './apiTypes.js';
import { HttpError } from './httpError.js';
import type { ServerS3 } from './serverS3.js';

/**
 * An S3 job's source as the server keeps it: the location checked against the server's allowed
 * sources (the server reads with its own credentials, so a page user must not name any bucket they
 * can spell), and the window's times fixed now, so `24h` means the same span on every re-run.
 */
export function s3JobSource(request: S3JobRequest, s3: ServerS3, now: Date = new Date()): S3JobSource {
  if (s3.sources.length === 0) {
    throw new HttpError(
      403,
      'this server reads no S3 location',
      'start it with --s3-source s3://BUCKET/PREFIX/ (repeatable) to allow jobs that read there',
    );
  }
  const wanted = location(request.url, 'url');
  const allowed = s3.sources.some((source) => {
    const base = parseS3Url(source);
    return base.bucket === wanted.bucket && wanted.prefix.startsWith(base.prefix);
  });
  if (!allowed) {
    throw new HttpError(
      403,
      `${request.url} is outside the S3 locations this server reads`,
      `give a location within ${s3.sources.join(', ')}`,
    );
  }
  const window = timeWindow(request, now);
  return {
    url: request.url,
    ...(window.since ? { since: window.since.toISOString() } : {}),
    ...(window.until ? { until: window.until.toISOString() } : {}),
    ...(request.accounts?.length ? { accounts: request.accounts } : {}),
    ...(request.regions?.length ? { regions: request.regions } : {}),
  };
}

/** How the job's worker lists and reads the source: the server's connection, the job's window. */
export function s3ReadOptions(source: S3JobSource, connect: Omit<ServerS3, 'sources'>): S3SourceOptions {
  return {
    ...(connect.profile ? { profile: connect.profile } : {}),
    ...(connect.endpointUrl ? { endpointUrl: connect.endpointUrl } : {}),
    filter: {
      ...(source.since ? { since: new Date(source.since) } : {}),
      ...(source.until ? { until: new Date(source.until) } : {}),
      ...(source.accounts ? { accounts: source.accounts } : {}),
      ...(source.regions ? { regions: source.regions } : {}),
    },
  };
}

/** The span analysed: the same window as the listing, as `scan --since/--until` does (Unix seconds). */
export function s3JobRange(source: S3JobSource): TimeRange | undefined {
  if (!source.since && !source.until) return undefined;
  const seconds = (iso: string) => new Date(iso).getTime() / 1000;
  return {
    ...(source.since ? { since: seconds(source.since) } : {}),
    ...(source.until ? { until: seconds(source.until) } : {}),
  };
}

function location(url: string, key: string) {
  try {
    return parseS3Url(url);
  } catch (error) {
    throw new HttpError(400, `${key}: ${(error as FlowhawkError).message}`, (error as FlowhawkError).hint);
  }
}

/** The request's window as times; a 400 saying what is wrong with it otherwise. */
function timeWindow(request: S3JobRequest, now: Date): { since?: Date; until?: Date } {
  try {
    return parseTimeWindow(request, { since: 'since', until: 'until' }, now);
  } catch (error) {
    throw new HttpError(400, (error as FlowhawkError).message, (error as FlowhawkError).hint);
  }
}
