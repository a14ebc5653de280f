import type { Command } from 'commander';
import { FlowhawkError } from '../errors.js';
import type { S3SourceOptions } from '../ingest/sourceInputs.js';
import { parseTimeWindow } from '../sources/timeBound.js';

/** The flags of commands that read s3:// inputs. */
export interface S3Flags {
  since?: string;
  until?: string;
  account?: string[];
  region?: string[];
  profile?: string;
  endpointUrl?: string;
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((v) => v.trim()),
];

/**
 * Adds --since, --until, --account, --region, --profile and --endpoint-url to a command; for a command
 * that `analyses`, --since/--until also bound the analysed span (see storeOptions.ts rangeFrom).
 */
export function s3Flags(command: Command, { analyses = false }: { analyses?: boolean } = {}): Command {
  const window = analyses
    ? 'analyse only flows starting from this time; s3:// inputs: read '
    : 's3:// inputs: ';
  return command
    .option(
      '--since <time>',
      `${window}only objects AWS wrote from this time on (ISO time, UTC unless zoned, a duration before now: 24h, 7d, or Unix seconds)`,
    )
    .option(
      '--until <time>',
      analyses
        ? 'analyse only flows starting before this time; s3:// inputs: read only objects written up to it (and the 20 minutes after it, which still hold its records)'
        : 's3:// inputs: only objects written up to this time (and the 20 minutes after it, which still hold its records)',
    )
    .option('--account <id>', 's3:// inputs: only these accounts (repeatable, or comma-separated)', collect)
    .option('--region <name>', 's3:// inputs: only these regions (repeatable, or comma-separated)', collect)
    .option(
      '--profile <name>',
      'AWS profile of ~/.aws/config and credentials for s3:// inputs (default: AWS_PROFILE, the default chain)',
    )
    .option(
      '--endpoint-url <url>',
      'an S3-compatible store for s3:// inputs, addressed path-style (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)',
    );
}

/** The s3 options of an ingest from the flags; USAGE errors for times that are not times. */
export function s3OptionsFrom(flags: S3Flags, now: Date = new Date()): S3SourceOptions {
  const { since, until } = parseTimeWindow(flags, { since: '--since', until: '--until' }, now);
  for (const account of flags.account ?? []) {
    if (!/^\d{12}$/.test(account))
      throw new FlowhawkError(
        'USAGE',
        `--account ${account} is not an AWS account id`,
        'write its 12 digits',
      );
  }
  const accounts = flags.account ?? [];
  const regions = flags.region ?? [];
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.endpointUrl ? { endpointUrl: flags.endpointUrl } : {}),
    filter: {
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(accounts.length > 0 ? { accounts } : {}),
      ...(regions.length > 0 ? { regions } : {}),
    },
  };
}
