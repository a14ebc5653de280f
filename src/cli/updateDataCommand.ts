import type { Command } from 'commander';
import { defaultDataDir } from '../enrichment/dataDir.js';
import { AWS_RANGES_URL, updateAwsRanges } from '../enrichment/updateData.js';

interface UpdateDataOptions {
  dataDir?: string;
  awsUrl: string;
}

export function registerUpdateData(program: Command): void {
  program
    .command('update-data')
    .description("refresh the enrichment data flowhawk bundles (AWS's published address ranges)")
    .option('--data-dir <dir>', `where to store it (default: ${defaultDataDir()})`)
    .option('--aws-url <url>', "where to download AWS's ip-ranges.json from (a mirror)", AWS_RANGES_URL)
    .addHelpText(
      'after',
      `
Scans use the refreshed copy when it is newer than the one bundled with flowhawk. The ASN and country
databases come with the @ip-location-db npm packages: update flowhawk to update them.

Exit codes: 0 done, 2 usage error, 3 download failed or not AWS's file (the old data stays in use).

Examples:
  flowhawk update-data
  FLOWHAWK_DATA_DIR=/srv/flowhawk flowhawk update-data   # scans then read the same directory`,
    )
    .action(async (options: UpdateDataOptions) => {
      const result = await updateAwsRanges({
        url: options.awsUrl,
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      });
      process.stdout.write(
        `AWS ranges of ${result.createDate} (syncToken ${result.syncToken}) written to ${result.path}\n`,
      );
    });
}
