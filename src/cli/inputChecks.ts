import { FlowhawkError } from '../errors.js';
import type { IngestSummary } from '../report.js';
import type { AnalysisStore } from '../store/store.js';

/**
 * The checks CI relies on, shared by scan and ingest: a run that read nothing fails (a sync that
 * downloaded nothing must not pass as "no findings"), and --strict fails on any input it had to skip.
 */

export const ALLOW_EMPTY_HELP =
  'succeed even when the input holds no flow record (by default that exits 3: nothing to analyse)';

export const STRICT_HELP =
  'exit 3, after the output is written, if any line was bad or any file unreadable or not a flow log';

export const INPUT_EXIT_CODES = `Exit code 3 also when the input holds no flow record at all (an empty folder, only unreadable or
unrecognised files; unless --allow-empty), and, with --strict, when a line was bad or a file was
unreadable or not recognised as a flow log (after the output is written). Unreadable files and folders
are otherwise skipped, each named on standard error and in the summary (filesUnreadable).`;

/** One line on standard error per file or folder the run could not read; --quiet keeps them. */
export function reportUnreadable(summary: IngestSummary): void {
  for (const u of summary.filesUnreadable)
    process.stderr.write(`flowhawk: warning: skipped ${u.path}: ${u.reason}\n`);
}

/** How the paths are named in messages. */
export function describePaths(paths: readonly string[]): string {
  return paths.map((p) => (p === '-' ? 'standard input' : p)).join(', ');
}

/**
 * The error for a run that read no record, saying why; undefined when there is something to analyse.
 * NODATA and SKIPDATA records count: they are what loghealth analyses. A file skipped as already
 * ingested counts too: its records are in the workspace, and ingesting twice must stay harmless.
 */
export function nothingRead(where: string, summary: IngestSummary): FlowhawkError | undefined {
  const held = summary.records + summary.nodata + summary.skipdata;
  if (held > 0 || summary.filesSkipped.some((s) => s.sameAs !== undefined)) return undefined;
  const why: string[] = [];
  if (summary.files > 0)
    why.push(`${summary.files} file(s) read, none with a flow record (${summary.badLines} bad line(s))`);
  const skipped = skippedFiles(summary);
  if (skipped.length > 0) why.push(`${skipped.length} file(s) skipped (${first(skipped)})`);
  const unreadable = summary.filesUnreadable;
  if (unreadable.length > 0) why.push(`${unreadable.length} could not be read (${first(unreadable)})`);
  return new FlowhawkError(
    'INPUT_EMPTY',
    `nothing to analyse in ${where}: ${why.length > 0 ? why.join('; ') : 'no files found'}`,
    "check the path (files and folders whose names start with '.' are not read); --allow-empty accepts an empty input",
  );
}

/** For scan --workspace alone: the error when the workspace holds nothing to analyse. */
export async function nothingStored(
  workspace: string,
  store: AnalysisStore,
  hint = 'check the workspace path, or ingest flow logs into it first; --allow-empty accepts an empty workspace',
): Promise<FlowhawkError | undefined> {
  const [row] = await store.query<{ n: bigint }>(
    'SELECT (SELECT count(*) FROM flows) + (SELECT count(*) FROM log_health) AS n',
  );
  if (Number(row?.n ?? 0) > 0) return undefined;
  return new FlowhawkError(
    'INPUT_EMPTY',
    `nothing to analyse in ${workspace}: the workspace holds no flows`,
    hint,
  );
}

/** The error --strict raises for input it had to skip or could not parse; undefined when all was clean. */
export function strictFailure(where: string, summary: IngestSummary): FlowhawkError | undefined {
  const problems: string[] = [];
  const bad = summary.badLineExamples[0];
  if (summary.badLines > 0)
    problems.push(
      `${summary.badLines} bad line(s)${bad ? ` (first: ${bad.file}:${bad.line}: ${bad.reason})` : ''}`,
    );
  const unreadable = summary.filesUnreadable;
  if (unreadable.length > 0)
    problems.push(`${unreadable.length} file(s) or folder(s) could not be read (${first(unreadable)})`);
  const skipped = skippedFiles(summary);
  if (skipped.length > 0) problems.push(`${skipped.length} file(s) skipped (${first(skipped)})`);
  if (problems.length === 0) return undefined;
  return new FlowhawkError(
    'INPUT_STRICT',
    `--strict: ${where}: ${problems.join('; ')}`,
    'the summary lists them all; without --strict they are reported and the run succeeds',
  );
}

/** Files skipped for what they hold (not flow logs); copies of ingested files are not a problem. */
function skippedFiles(summary: IngestSummary) {
  return summary.filesSkipped.filter((s) => s.sameAs === undefined);
}

function first(files: readonly { path: string; reason: string }[]): string {
  const [f] = files;
  return f ? `first: ${f.path}: ${f.reason}` : '';
}
