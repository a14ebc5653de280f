import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { parseDuration } from '../sources/timeBound.js';
import { VERSION } from '../version.js';
import type { FindingChange } from '../watch/emitted.js';
import { lookbackFor } from '../watch/lookback.js';
import { type PollReport, watch } from '../watch/watch.js';
import { stopOnSignals } from './interrupt.js';
import { checkOutput } from './outputFile.js';
import { type S3Flags, s3Flags, s3OptionsFrom } from './s3Flags.js';
import { type StoreFlags, storeOptions, storeOptionsFrom } from './storeOptions.js';
import { postJson, webhookUrl } from './webhook.js';

interface WatchFlags extends StoreFlags, S3Flags {
  workspace: string;
  config?: string;
  interval: string;
  lookback?: string;
  output?: string;
  webhook?: string;
  once?: boolean;
}

export function registerWatch(program: Command): void {
  s3Flags(storeOptions(program.command('watch')))
    .description(
      'poll s3:// locations, read new objects into a workspace and print each new or changed finding (NDJSON)',
    )
    .argument('<sources...>', 's3://bucket/prefix/ (or folders) to poll')
    .requiredOption(
      '-w, --workspace <file>',
      'DuckDB workspace file: the flows read, and which findings were already printed',
    )
    .option('--interval <duration>', 'time between the starts of two polls (30s, 5m, 1h)', '5m')
    .option(
      '--lookback <duration>',
      'how far back from the newest record each analysis reaches (default: the longest span an enabled detector uses; 7d with the default config)',
    )
    .option(
      '-c, --config <file>',
      'thresholds, internal networks and allowlist (default: ./flowhawk.config.json if present)',
    )
    .option('-o, --output <file>', 'append the findings to this file instead of standard output')
    .option(
      '--webhook <url>',
      'also POST each poll\'s new findings as JSON: {"flowhawk", "sources", "findings"}',
    )
    .option('--once', 'poll once and exit (for cron)')
    .addHelpText(
      'after',
      `
Each poll lists the sources (after the first, only objects written since an hour before the previous
poll; once an hour, the whole look-back window, for objects delivered late), reads the objects the workspace does not hold (same ETag and size: not downloaded), analyses
the look-back window ending at the newest record stored, and prints the findings never printed for
this workspace, or printed with another severity or a smaller count, one JSON object per line (as
--format ndjson). A status line per poll goes to standard error.
Ctrl-C or SIGTERM stops it cleanly (exit 0): objects stored completely are kept, the rest and any
findings not yet printed are left to the next start, which carries on where it stopped. A finding
printed just before a crash may be printed again (never lost).
Exit codes: 0 stopped, 2 usage error, 3 the first poll failed (later failures are reported, and retried).

Examples:
  flowhawk watch s3://my-logs/AWSLogs/ --workspace flows.duckdb --since 24h
  flowhawk watch s3://org-logs/AWSLogs/ --account 111122223333 --region eu-west-1 \\
      --workspace org.duckdb --interval 10m --output findings.ndjson --webhook https://hooks.example/flowhawk`,
    )
    .action(async (sources: string[], flags: WatchFlags) => {
      const intervalSeconds = parseDuration(flags.interval, '--interval');
      const lookbackSeconds =
        flags.lookback === undefined ? undefined : parseDuration(flags.lookback, '--lookback');
      const webhook = flags.webhook === undefined ? undefined : webhookUrl(flags.webhook);
      const s3 = s3OptionsFrom(flags);
      const config = loadConfig(DETECTORS, flags.config);
      if (flags.output) await checkOutput(flags.output);
      const lookback = lookbackSeconds ?? lookbackFor(config, DETECTORS).seconds;
      const out: WriteStream | NodeJS.WriteStream = flags.output
        ? createWriteStream(flags.output, { flags: 'a' })
        : process.stdout;
      const say = (line: string) => process.stderr.write(`flowhawk: ${line}\n`);
      say(
        `watching ${sources.join(', ')} every ${flags.interval}, analysing ${lookback / 3600}h back from the newest record; Ctrl-C to stop`,
      );
      const emit = async (changes: readonly FindingChange[]) => {
        if (changes.length === 0) return;
        await write(out, changes.map((c) => `${JSON.stringify(c.finding)}\n`).join(''));
        if (!webhook) return;
        const failed = await postJson(webhook, {
          flowhawk: VERSION,
          sources,
          findings: changes.map((c) => ({ ...c.finding, change: c.change })),
        });
        if (failed)
          say(`warning: --webhook ${webhook.href}: POST failed (${failed}); the findings are in the output`);
      };
      const stop = stopOnSignals();
      try {
        const end = await watch({
          sources,
          store: { ...storeOptionsFrom(flags, config), workspace: flags.workspace },
          s3,
          intervalSeconds,
          ...(lookbackSeconds === undefined ? {} : { lookbackSeconds }),
          config,
          detectors: DETECTORS,
          signal: stop.signal,
          emit,
          onPoll: (poll) => say(statusLine(poll)),
          ...(flags.once ? { once: true } : {}),
        });
        if (end.stopped) {
          say(
            `watch stopped by ${String(stop.signal.reason)}${end.during ? ` during ${end.during}` : ''}; the workspace keeps what was stored completely, and the same command carries on from there`,
          );
        }
      } finally {
        stop.dispose();
        if (out !== process.stdout) await new Promise((resolve) => (out as WriteStream).end(resolve));
      }
    });
}

function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

const clock = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;
const n = (value: number) => value.toLocaleString('en-US');

/** One line per poll: what was read, what was analysed, what was printed, when the next poll is. */
export function statusLine(poll: PollReport): string {
  const at = `watch ${clock(poll.startedAt)}`;
  const next = poll.nextAt ? `; next poll ${clock(poll.nextAt)}` : '';
  if (poll.failed) {
    return `${at}: poll failed: ${poll.failed.message}${poll.failed.hint ? ` (${poll.failed.hint})` : ''}${next}`;
  }
  const read = poll.ingest;
  const parts = [
    `${poll.catchUp ? 'listed the whole look-back window for late objects: ' : ''}read ${n(read?.files ?? 0)} new object(s), ${n(read?.records ?? 0)} records`,
    `${n(read?.filesSkipped.length ?? 0)} already stored`,
  ];
  if ((read?.filesUnreadable.length ?? 0) > 0)
    parts.push(`${n(read?.filesUnreadable.length ?? 0)} unreadable`);
  const since = poll.analysed?.since;
  parts.push(
    since === undefined
      ? 'nothing new to analyse'
      : `analysed from ${clock(new Date(since * 1000))}: ${n(poll.emitted.new)} new finding(s), ${n(poll.emitted.changed)} changed`,
  );
  for (const warning of poll.warnings) parts.push(`warning: ${warning}`);
  return `${at}: ${parts.join('; ')}${next}`;
}
