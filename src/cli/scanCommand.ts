import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { FlowhawkError } from '../errors.js';
import { SEVERITIES, type Severity, severityRank } from '../finding.js';
import { FORMATS } from '../outputs/formats.js';
import { scan } from '../scan.js';
import { THREAT_LIST_KINDS } from '../threatintel/threatLists.js';
import { fieldsOption } from './fieldsOption.js';
import {
  ALLOW_EMPTY_HELP,
  describePaths,
  INPUT_EXIT_CODES,
  nothingRead,
  nothingStored,
  reportUnreadable,
  STRICT_HELP,
  strictFailure,
} from './inputChecks.js';
import { stopOnSignals } from './interrupt.js';
import { checkOutput, writeReport } from './outputFile.js';
import { progressReporter } from './progress.js';
import { type S3Flags, s3Flags, s3OptionsFrom } from './s3Flags.js';
import {
  clickhouseFrom,
  rangeFrom,
  type StoreFlags,
  type StoreUrlFlags,
  storeOptions,
  storeOptionsFrom,
  storeUrlOption,
} from './storeOptions.js';
import { threatListOptions } from './threatListOption.js';
import { describeAnalysis, describeStages } from './verbose.js';

interface ScanOptions extends StoreFlags, StoreUrlFlags, S3Flags {
  workspace?: string;
  config?: string;
  format: string;
  output?: string;
  fields?: string;
  showSuppressed?: boolean;
  threatList: string[];
  failOn?: string;
  quiet?: boolean;
  verbose?: boolean;
  allowEmpty?: boolean;
  strict?: boolean;
}

export function registerScan(program: Command): void {
  storeUrlOption(s3Flags(storeOptions(program.command('scan')), { analyses: true }))
    .description('read flow logs (or a workspace) and run every detector; prints the findings')
    .argument(
      '[paths...]',
      "files or directories (walked recursively), '-' for standard input, s3://bucket/prefix/",
    )
    .option(
      '-w, --workspace <file>',
      'DuckDB workspace file: keeps flows across runs; with no paths, re-analyses it',
    )
    .option(
      '-c, --config <file>',
      'thresholds, internal networks and allowlist (default: ./flowhawk.config.json if present)',
    )
    .option('-f, --format <format>', `output format: ${Object.keys(FORMATS).join(', ')}`, 'table')
    .option('-o, --output <file>', 'write the output to a file instead of standard output')
    .option('--fields <list>', 'field order for input without a header line (default: the v2 default format)')
    .option('--show-suppressed', 'also list findings the allowlist suppressed, with the reason')
    .option(
      '--fail-on <severity>',
      `exit 1 when a finding is at least this severe (${SEVERITIES.join(', ')})`,
    )
    .option('--allow-empty', ALLOW_EMPTY_HELP)
    .option('--strict', STRICT_HELP)
    .option('-q, --quiet', 'no progress on standard error (errors and warnings still go there)')
    .option(
      '-v, --verbose',
      'also report, on standard error, the config used, each detector run (candidates, findings, time) and the time of each stage',
    )
    .option(
      '--threat-list <[kind=]file|url>',
      `a list of known-bad addresses (text, CSV or STIX JSON), added to the config's threatLists; kind: ${THREAT_LIST_KINDS.join(', ')} (default other); repeatable`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 a finding at or above --fail-on, 2 usage error, 3 input error (unreadable
workspace, invalid config), 130/143 stopped by Ctrl-C/SIGTERM while reading (a workspace keeps the
files read completely; the same command again reads the rest). ${INPUT_EXIT_CODES}
With paths, "no flow record" is about what they held; with --workspace alone, about the flows it stores.
When there is nothing to analyse, no findings are written. 3 wins over 1 when both apply.
Results go to standard output (or --output), progress to standard error. What each format holds:
docs/outputs.md. Internet addresses carry their owner (AWS service and region, AS, country) from
data bundled offline; the report names it and its date, and flowhawk update-data refreshes AWS's.

Examples:
  flowhawk scan examples/                              # the bundled sample logs
  flowhawk scan ./AWSLogs/ --format ocsf --output findings.ocsf.json
  flowhawk scan s3://my-logs/AWSLogs/ --since 24h --region eu-west-1   # straight from the bucket
  flowhawk scan logs/ --workspace hist.duckdb          # keep the flows for later runs
  flowhawk scan --store clickhouse://ch1/flowhawk?cluster=flows --since 2024-03-11 --until 2024-03-12
  flowhawk scan --workspace hist.duckdb --config flowhawk.config.json --show-suppressed
  flowhawk scan logs/ --threat-list c2=feodo.csv --threat-list tor=https://check.torproject.org/torbulkexitlist`,
    )
    .action(async (paths: string[], options: ScanOptions) => {
      const render = FORMATS[options.format];
      if (!render) {
        throw new FlowhawkError(
          'USAGE',
          `unknown format "${options.format}"`,
          `use one of: ${Object.keys(FORMATS).join(', ')}`,
        );
      }
      const failOn = options.failOn;
      if (failOn !== undefined && !SEVERITIES.includes(failOn as Severity)) {
        throw new FlowhawkError(
          'USAGE',
          `unknown severity "${failOn}" for --fail-on`,
          `use one of: ${SEVERITIES.join(', ')}`,
        );
      }
      const now = new Date();
      const range = rangeFrom(options, now);
      const loaded = loadConfig(DETECTORS, options.config);
      // a --workspace named on the command line wins over the config's "store"
      const clickhouse = clickhouseFrom(options, options.workspace ? undefined : loaded);
      if (paths.length === 0 && !options.workspace && !clickhouse) {
        throw new FlowhawkError(
          'USAGE',
          'nothing to scan',
          'give files or directories, or --workspace FILE (or --store URL) to re-analyse',
        );
      }
      const config = { ...loaded, threatLists: threatListOptions(options.threatList, loaded.threatLists) };
      if (options.output) await checkOutput(options.output);
      // checked with or without paths: a typo in --fields is a usage error either way
      const layout = fieldsOption(options.fields);
      const s3 = s3OptionsFrom(options, now);
      const progress = progressReporter({ quiet: options.quiet ?? false });
      // a stop while reading keeps the workspace whole (files stored completely or not at all); during
      // the analysis that follows, a signal ends the process as usual: the flows are already stored
      const stop = paths.length > 0 ? stopOnSignals() : undefined;
      try {
        const result = await scan({
          sources: paths,
          store: storeOptionsFrom(options, config),
          ...(clickhouse ? { clickhouse } : {}),
          ...(range ? { range } : {}),
          config,
          detectors: DETECTORS,
          ingest: { ...(layout ? { layout } : {}), s3 },
          ...(stop ? { signal: stop.signal } : {}),
          onProgress: (p) => {
            if (p.stage === 'read' && p.fileDone) progress.file(p.file);
            else if (p.stage === 'analyse') {
              progress.stage(
                p.ingest
                  ? `read ${p.ingest.records.toLocaleString('en-US')} flow records; analysing`
                  : 'analysing the flows',
              );
            }
          },
          beforeAnalysis: async ({ ingest: summary, store }) => {
            stop?.dispose();
            if (!summary) {
              const empty = options.allowEmpty
                ? undefined
                : await nothingStored(options.workspace ?? clickhouse ?? '', store);
              if (empty) throw empty;
              return;
            }
            // the bar must be gone before warnings are written under it
            progress.stop();
            reportUnreadable(summary);
            const empty = options.allowEmpty ? undefined : nothingRead(describePaths(paths), summary);
            if (empty) throw empty;
          },
          traffic: options.format === 'html',
          showSuppressed: options.showSuppressed ?? false,
        });
        const { analysis, ingest: summary } = result;
        progress.stop();
        if (options.verbose) process.stderr.write(describeAnalysis(config, analysis));
        for (const warning of result.warnings) process.stderr.write(`flowhawk: warning: ${warning}\n`);
        const rendering = performance.now();
        await writeReport(render(result.report), options.output);
        if (options.verbose) {
          process.stderr.write(describeStages(result.readMs, analysis, performance.now() - rendering));
        }
        if (failOn !== undefined) {
          const limit = severityRank(failOn as Severity);
          const failing = analysis.findings.filter((f) => !f.suppressed && severityRank(f.severity) >= limit);
          if (failing.length > 0) process.exitCode = 1;
        }
        const strict = options.strict && summary ? strictFailure(describePaths(paths), summary) : undefined;
        if (strict) throw strict;
      } finally {
        stop?.dispose();
        progress.stop();
      }
    });
}
