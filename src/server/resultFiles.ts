import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { FlowhawkError } from '../errors.js';
import type { Finding } from '../finding.js';
import { type Pieces, writePieces } from '../outputs/writePieces.js';
import type { JobOverview } from './apiTypes.js';
import type { JobResult, JobResultHead, RunOutputs } from './jobResult.js';

/**
 * A run's result on disk, in pieces no larger than one finding: a job of 150,000 findings with their
 * evidence is a gigabyte of JSON, more than V8's longest string (~512 MB), so neither the worker that
 * writes it nor the one that renders a report from it may ever hold it as one string.
 *
 * Layout of a job's directory (written with a suffix, `.next`, renamed by the runner once the worker
 * has finished): report.json (the report but its findings, see JobResultHead), findings.ndjson (one
 * `{ seq, finding }` per line, most severe first; the server's database and the reports read it a line
 * at a time), overview.json (JobOverview). An older flowhawk wrote the whole result as result.json.
 */

/**
 * The whole JobResult as one JSON document, as flowhawk wrote it before results were written in
 * pieces. Still read, so that a workspace of an older version keeps its reports; a re-run replaces it.
 */
export const LEGACY_RESULT_FILE = 'result.json';

/** The files of a run in a job's directory; `suffix` marks a run not yet stored. */
export function runOutputs(dir: string, suffix = ''): RunOutputs {
  return {
    report: join(dir, `report.json${suffix}`),
    findings: join(dir, `findings.ndjson${suffix}`),
    overview: join(dir, `overview.json${suffix}`),
  };
}

/** One line of findings.ndjson. */
interface FindingLine {
  seq: number;
  finding: Finding;
}

/**
 * Writes what the server needs of a run, each in its own file so that it never parses the whole
 * result: the findings streamed a line at a time (with backpressure), the small head and overview
 * whole. Resolves once every byte is in its file; the caller says `done` only then.
 */
export async function writeRunOutputs(out: RunOutputs, result: JobResult): Promise<void> {
  const { analysis, ingest } = result.report;
  await writeStreamed(out.findings, findingLines(analysis.findings));
  const { findings, ...rest } = analysis;
  const head: JobResultHead = {
    report: { ...result.report, analysis: rest },
    traffic: result.traffic,
    findingCount: findings.length,
  };
  writeSmall(out.report, JSON.stringify(head));
  const overview: JobOverview = {
    traffic: result.traffic,
    leaders: analysis.leaders ?? null,
    ingest: ingest ?? null,
    detectors: analysis.detectors,
    connections: analysis.connections,
  };
  writeSmall(out.overview, JSON.stringify(overview));
}

function* findingLines(findings: readonly Finding[]): Pieces {
  for (const [seq, finding] of findings.entries()) {
    yield `${JSON.stringify({ seq, finding } satisfies FindingLine)}\n`;
  }
}

async function writeStreamed(path: string, pieces: Pieces): Promise<void> {
  const file = createWriteStream(path);
  // until the stream has opened the file, a disk error is on the stream, not yet on a write
  let diskError: Error | undefined;
  file.on('error', (error) => {
    diskError ??= error;
  });
  try {
    await writePieces(pieces, file);
    file.end();
    await finished(file);
  } catch (error) {
    file.destroy();
    throw writeError(path, diskError ?? error);
  }
}

function writeSmall(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw writeError(path, error);
  }
}

function writeError(path: string, error: unknown): FlowhawkError {
  return new FlowhawkError(
    'RESULT_WRITE',
    `could not write the job's ${basename(path)} (${(error as Error).message ?? String(error)})`,
    "check the free space of the server's --workspace, then re-run the job",
  );
}

/**
 * A stored run's result, for rendering a report: the head parsed whole (it is small), the findings
 * a line at a time, so no string larger than one finding is built. A job directory of an older
 * flowhawk (result.json, no report.json) is read as that version read it: whole, which it could be,
 * since one string had held it. Errors name the file and the line.
 */
export async function readJobResult(dir: string): Promise<JobResult> {
  const files = runOutputs(dir);
  const legacy = join(dir, LEGACY_RESULT_FILE);
  if (!existsSync(files.report) && existsSync(legacy)) {
    return parsed(legacy, () => JSON.parse(readFileSync(legacy, 'utf8')) as JobResult);
  }
  const head = parsed(files.report, () => JSON.parse(readFileSync(files.report, 'utf8')) as JobResultHead);
  const findings = await readFindings(files.findings);
  if (findings.length !== head.findingCount) {
    throw resultError(
      files.findings,
      `holds ${findings.length} findings where report.json says ${head.findingCount} (cut short, or replaced by a re-run while it was read)`,
    );
  }
  return {
    report: { ...head.report, analysis: { ...head.report.analysis, findings } },
    traffic: head.traffic,
  };
}

async function readFindings(path: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (line === '') continue;
      const at = findings.length;
      const { seq, finding } = parsed(path, () => JSON.parse(line) as FindingLine, at + 1);
      // lines are written in order: another order means the file is not one run's
      if (seq !== at) throw resultError(path, `line ${at + 1} holds finding ${seq}, not ${at}`);
      findings.push(finding);
    }
  } catch (error) {
    if (error instanceof FlowhawkError) throw error;
    throw resultError(path, (error as Error).message ?? String(error));
  } finally {
    input.destroy();
  }
  return findings;
}

function parsed<T>(path: string, parse: () => T, line?: number): T {
  try {
    return parse();
  } catch (error) {
    throw resultError(path, (error as Error).message ?? String(error), line);
  }
}

/** A stored result that cannot be read: the caller answers 500, and a re-run writes it again. */
function resultError(path: string, why: string, line?: number): FlowhawkError {
  return new FlowhawkError(
    'RESULT_READ',
    `the job's ${basename(path)}${line === undefined ? '' : `, line ${line}`}: ${why}`,
    're-run the job to write its result again',
  );
}
