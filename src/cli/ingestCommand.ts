import type { Command } from 'commander';
import { type ClickhouseLoadResult, loadIntoClickhouse } from '../ingest/clickhouseLoad.js';
import { ingest, type StoredFile } from '../ingest/ingest.js';
import { renderIngestSummary } from '../outputs/ingestSummaryText.js';
import { ClickhouseStore } from '../store/clickhouse/clickhouseStore.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { fieldsOption } from './fieldsOption.js';
import {
  ALLOW_EMPTY_HELP,
  describePaths,
  INPUT_EXIT_CODES,
  nothingRead,
  reportUnreadable,
  STRICT_HELP,
  strictFailure,
} from './inputChecks.js';
import { stopOnSignals } from './interrupt.js';
import { progressReporter } from './progress.js';
import { type S3Flags, s3Flags, s3OptionsFrom } from './s3Flags.js';
import {
  clickhouseFrom,
  type StoreFlags,
  type StoreUrlFlags,
  scanNeedsScratchFile,
  storeOptions,
  storeOptionsFrom,
  storeUrlOption,
} from './storeOptions.js';

export function registerIngest(program: Command): void {
  storeUrlOption(s3Flags(storeOptions(program.command('ingest'))))
    .description('read flow log files into the canonical flows table and print the ingest summary')
    .argument(
      '<paths...>',
      "files or directories (walked recursively), '-' for standard input, s3://bucket/prefix/",
    )
    .option(
      '-w, --workspace <file>',
      'DuckDB workspace file that keeps flows across runs (default: in memory)',
    )
    .option('--fields <list>', 'field order for input without a header line (default: the v2 default format)')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--allow-empty', ALLOW_EMPTY_HELP)
    .option('--strict', STRICT_HELP)
    .option('-q, --quiet', 'no progress on standard error')
    .option('-v, --verbose', 'say on standard error when each file is opened and when it is stored')
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 2 usage error, 3 input error, 130/143 stopped by Ctrl-C/SIGTERM. ${INPUT_EXIT_CODES}
With --workspace, each file is stored whole or not at all: a run stopped at any moment (Ctrl-C,
SIGTERM, a crash) keeps the files it finished, and running the same command again reads the rest.
s3:// objects are recorded by key, ETag and size: a re-run downloads only objects it does not hold,
or holds with another ETag (their old rows are replaced).
The summary is printed in every case: it says what was read and what was skipped.
With --store, the flows read are then sent to ClickHouse a file at a time; a file it already holds
(same content) is not sent again, and a file cut short is removed and sent whole by the next run.

Examples:
  flowhawk ingest ./AWSLogs/                  # every file under the S3 download, gzip or not
  flowhawk ingest s3://my-logs/AWSLogs/ --since 24h --workspace hist.duckdb
  flowhawk ingest logs/ --workspace hist.duckdb --json
  flowhawk ingest ./AWSLogs/ --store clickhouse://flowhawk@ch1:8123/flows   # then: scan --store …
  aws logs tail /vpc/flowlogs --format short | flowhawk ingest -
  flowhawk ingest messages.txt --fields "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action"`,
    )
    .action(
      async (
        paths: string[],
        options: StoreFlags &
          StoreUrlFlags &
          S3Flags & {
            workspace?: string;
            fields?: string;
            json?: boolean;
            quiet?: boolean;
            allowEmpty?: boolean;
            strict?: boolean;
            verbose?: boolean;
          },
      ) => {
        const s3 = s3OptionsFrom(options);
        const clickhouseUrl = clickhouseFrom(options);
        // on the way to ClickHouse, a large input is held in a scratch file rather than in memory
        const scratchFile = !!clickhouseUrl && !options.workspace && (await scanNeedsScratchFile(paths));
        const store = await DuckdbStore.open({ ...storeOptionsFrom(options), scratchFile });
        const stop = stopOnSignals();
        try {
          const layout = fieldsOption(options.fields);
          const progress = progressReporter({ quiet: options.quiet ?? false });
          const say = (line: string) => process.stderr.write(`flowhawk: ${line}\n`);
          const summary = await ingest(store, paths, {
            ...(layout ? { layout } : {}),
            s3,
            onFile: progress.file,
            signal: stop.signal,
            ...(options.verbose
              ? {
                  onStart: (path: string) => say(`reading ${path}`),
                  onStored: (file: StoredFile) =>
                    say(`stored ${file.path}: ${file.records.toLocaleString('en-US')} records`),
                }
              : {}),
          });
          progress.stop();
          reportUnreadable(summary);
          const sent = clickhouseUrl ? await sendToClickhouse(store, clickhouseUrl) : undefined;
          process.stdout.write(
            options.json
              ? `${JSON.stringify(sent ? { ...summary, clickhouse: sent } : summary)}\n`
              : renderIngestSummary(summary),
          );
          if (sent && !options.json && !options.quiet) say(describeSent(sent));
          const where = describePaths(paths);
          const failure =
            (options.allowEmpty ? undefined : nothingRead(where, summary)) ??
            (options.strict ? strictFailure(where, summary) : undefined);
          if (failure) throw failure;
        } finally {
          stop.dispose();
          store.close();
        }
      },
    );
}

async function sendToClickhouse(from: DuckdbStore, url: string): Promise<ClickhouseLoadResult> {
  const to = await ClickhouseStore.open(url);
  try {
    return await loadIntoClickhouse(from, to);
  } finally {
    await to.close();
  }
}

function describeSent(sent: ClickhouseLoadResult): string {
  const flows = sent.flows.toLocaleString('en-US');
  return `sent ${sent.sent} file(s), ${flows} flow records, to ClickHouse; ${sent.skipped} it already held`;
}
