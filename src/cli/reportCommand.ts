import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { FlowhawkError } from '../errors.js';
import { FORMATS } from '../outputs/formats.js';
import { scan } from '../scan.js';
import { checkOutput, writeReport } from './outputFile.js';
import { type StoreFlags, storeOptions, storeOptionsFrom } from './storeOptions.js';

interface ReportOptions extends Omit<StoreFlags, 'workspace'> {
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
      'DuckDB workspace file made by `flowhawk scan … --workspace FILE` or `flowhawk ingest`',
    )
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
  flowhawk report hist.duckdb --format json --show-suppressed`,
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
      // DuckDB would create an empty workspace at a path that does not exist: refuse instead.
      if (!statSync(workspace, { throwIfNoEntry: false })?.isFile()) {
        throw new FlowhawkError(
          'INPUT',
          `no workspace file at ${workspace}`,
          'make one with `flowhawk scan LOGS --workspace FILE` (or `flowhawk ingest`), then report on it',
        );
      }
      const config = loadConfig(DETECTORS, options.config);
      if (options.output) await checkOutput(options.output);
      const result = await scan({
        store: storeOptionsFrom({ ...options, workspace }, config),
        config,
        detectors: DETECTORS,
        traffic: true,
        showSuppressed: options.showSuppressed ?? false,
      });
      for (const warning of result.warnings) process.stderr.write(`flowhawk: warning: ${warning}\n`);
      await writeReport(render(result.report), options.output);
    });
}
