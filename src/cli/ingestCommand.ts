import type { Command } from 'commander';
import { ingest } from '../ingest/ingest.js';
import { renderIngestSummary } from '../outputs/ingestSummaryText.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { fieldsOption } from './fieldsOption.js';
import { progressReporter } from './progress.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('read flow log files into the canonical flows table and print the ingest summary')
    .argument('<paths...>', "files or directories (walked recursively), '-' for standard input")
    .option(
      '-w, --workspace <file>',
      'DuckDB workspace file that keeps flows across runs (default: in memory)',
    )
    .option('--fields <list>', 'field order for input without a header line (default: the v2 default format)')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('-q, --quiet', 'no progress on standard error')
    .addHelpText(
      'after',
      `
Examples:
  flowhawk ingest ./AWSLogs/                  # every file under the S3 download, gzip or not
  flowhawk ingest logs/ --workspace hist.duckdb --json
  aws logs tail /vpc/flowlogs --format short | flowhawk ingest -
  flowhawk ingest messages.txt --fields "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action"`,
    )
    .action(
      async (
        paths: string[],
        options: { workspace?: string; fields?: string; json?: boolean; quiet?: boolean },
      ) => {
        const store = await DuckdbStore.open(options.workspace ? { workspace: options.workspace } : {});
        try {
          const layout = fieldsOption(options.fields);
          const progress = progressReporter({ quiet: options.quiet ?? false });
          const summary = await ingest(store, paths, {
            ...(layout ? { layout } : {}),
            onFile: progress.file,
          });
          progress.stop();
          process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : renderIngestSummary(summary));
        } finally {
          store.close();
        }
      },
    );
}
