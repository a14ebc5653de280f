import { readFileSync } from 'node:fs';
import { FORMATS } from '../outputs/formats.js';
import type { JobResult } from './jobResult.js';

/**
 * Renders one report of a finished job to standard output, in a child process of the server: a job
 * with ten thousand findings makes a report of a hundred megabytes, and building it must not grow
 * the server. Arguments: the job's result.json, the format, and 1 to include suppressed findings.
 */
const [resultPath, format, suppressed] = process.argv.slice(2);
const render = FORMATS[format ?? ''];
if (!resultPath || !render) {
  process.stderr.write(
    `usage: reportWorker RESULT.json FORMAT [1]; formats: ${Object.keys(FORMATS).join(', ')}\n`,
  );
  process.exit(2);
}
let text: string;
try {
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as JobResult;
  text = render({ ...result.report, showSuppressed: suppressed === '1' }, result.traffic ?? undefined);
} catch (error) {
  // one line: the server answers with it (a stack trace says nothing to whoever downloads)
  process.stderr.write(`the job's result.json: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
}
process.stdout.write(text, () => process.exit(0));
