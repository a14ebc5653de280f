import { readFileSync } from 'node:fs';
import { FORMATS } from '../outputs/formats.js';
import { writePieces } from '../outputs/writePieces.js';
import type { JobResult } from './jobResult.js';

/**
 * Renders one report of a finished job to standard output, in a child process of the server: a job
 * with ten thousand findings makes a report of a hundred megabytes, and building it must not grow
 * the server. The report is written as it is rendered, at the pace the download takes it.
 * Arguments: the job's result.json, the format, and 1 to include suppressed findings.
 */
const [resultPath, format, suppressed] = process.argv.slice(2);
const render = FORMATS[format ?? ''];
if (!resultPath || !render) {
  process.stderr.write(
    `usage: reportWorker RESULT.json FORMAT [1]; formats: ${Object.keys(FORMATS).join(', ')}\n`,
  );
  process.exit(2);
}
// one line for each failure: the server answers with it (a stack trace says nothing to whoever downloads)
const fail = (what: string, error: unknown) => {
  process.stderr.write(`${what}: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
};
let result: JobResult | undefined;
try {
  result = JSON.parse(readFileSync(resultPath, 'utf8')) as JobResult;
} catch (error) {
  fail("the job's result.json", error);
}
if (result) {
  const pieces = render(
    { ...result.report, showSuppressed: suppressed === '1' },
    result.traffic ?? undefined,
  );
  writePieces(pieces, process.stdout).then(
    () => process.stdout.write('', () => process.exit(0)),
    (error: unknown) => fail(`the ${format} report`, error),
  );
}
