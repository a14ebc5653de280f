import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { FlowhawkError } from '../errors.js';
import { FORMATS } from '../outputs/formats.js';
import { scan } from '../scan.js';
import { isClickhouseUrl } from '../store/clickhouse/storeUrl.js';
import { nothingStored } from './inputChecks.js';
import { checkOutput, writeReport } from './outputFile.js';
import { rangeFrom, type StoreFlags, storeOptions, storeOptionsFrom } from './storeOptions.js';

interface ReportOptions extends Omit<StoreFlags, 'workspace'> {
  since?: string;
  until?: string;
  config?: string;
  format: string;
  output?: string;
  showSuppressed?: boolean;
}

export function registerReport(program: Command): void {
  storeOptions(program.command('report'))
    .description(
      're-analyse a workspace and render its findings (an HTML report by default); reads no log file',
    )
    .argument(
      '<workspace>',
      'DuckDB workspace file made by `flowhawk scan … --workspace FILE` or `flowhawk ingest`, or a ClickHouse store URL (clickhouse://…, chdb:///dir) filled by `flowhawk ingest --store`',
    )
    .option(
      '--since <time>',
      'analyse only flows starting from this time (ISO time, a duration before now: 24h, or Unix seconds)',
    )
    .option('--until <time>', 'analyse only flows starting before this time')
    .option('-f, --format <format>', `output format: ${Object.keys(FORMATS).join(', ')}`, 'html')
    .option('-o, --output <file>', 'write the output to a file instead of standard output')
    .option(
      '-c, --config <file>',
      'thresholds, internal networks and allowlist (default: ./flowhawk.config.json if present)',
    )
    .option('--show-suppressed', 'also list findings the allowlist suppressed, with the reason')
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 2 usage error, 3 input error (missing or unreadable workspace, invalid config).

Examples:
  flowhawk scan logs/ --workspace hist.duckdb --format table
  flowhawk report hist.duckdb --output report.html     # one self-contained file, opens offline
  flowhawk report hist.duckdb --format json --show-suppressed
  flowhawk report clickhouse://ch1/flows --since 2024-03-11 --until 2024-03-12 --output day.html`,
    )
    .action(async (workspace: string, options: ReportOptions) => {
      const render = FORMATS[options.format];
      if (!render) {
        throw new FlowhawkError(
          'USAGE',
          `unknown format "${options.format}"`,
          `use one of: ${Object.keys(FORMATS).join(', ')}`,
        );
      }
      const range = rangeFrom(options);
      const clickhouse = isClickhouseUrl(workspace) ? workspace : undefined;
      // DuckDB would create an empty workspace at a path that does not exist: refuse instead.
      if (!clickhouse && !statSync(workspace, { throwIfNoEntry: false })?.isFile()) {
        throw new FlowhawkError(
          'INPUT',
          `no workspace file at ${workspace}`,
          'make one with `flowhawk scan LOGS --workspace FILE` (or `flowhawk ingest`), then report on it',
        );
      }
      const config = loadConfig(DETECTORS, options.config);
      if (options.output) await checkOutput(options.output);
      const result = await scan({
        store: storeOptionsFrom(clickhouse ? options : { ...options, workspace }, config),
        ...(clickhouse ? { clickhouse } : {}),
        ...(range ? { range } : {}),
        // a ClickHouse store is made on first use: a mistyped database name would report on nothing
        ...(clickhouse
          ? {
              beforeAnalysis: async ({ store }) => {
                const empty = await nothingStored(
                  workspace,
                  store,
                  'check the database in the URL, or fill it first with `flowhawk ingest LOGS --store URL`',
                );
                if (empty) throw empty;
              },
            }
          : {}),
        config,
        detectors: DETECTORS,
        traffic: true,
        showSuppressed: options.showSuppressed ?? false,
      });
      for (const warning of result.warnings) process.stderr.write(`flowhawk: warning: ${warning}\n`);
      await writeReport(render(result.report), options.output);
    });
}
