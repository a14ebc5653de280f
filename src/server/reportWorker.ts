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
const result = JSON.parse(readFileSync(resultPath, 'utf8')) as JobResult;
const text = render({ ...result.report, showSuppressed: suppressed === '1' }, result.traffic ?? undefined);
process.stdout.write(text, () => process.exit(0));
