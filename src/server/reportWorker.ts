import { FORMATS, type Renderer } from '../outputs/formats.js';
import { writePieces } from '../outputs/writePieces.js';
import type { JobResult } from './jobResult.js';
import { readJobResult } from './resultFiles.js';

/**
 * Renders one report of a finished job to standard output, in a child process of the server: a job
 * with ten thousand findings makes a report of a hundred megabytes, and building it must not grow
 * the server. The result is read a finding at a time (resultFiles.ts) and the report written as it
 * is rendered, at the pace the download takes it.
 * Arguments: the job's directory, the format, and 1 to include suppressed findings.
 */
const [jobDir, format, suppressed] = process.argv.slice(2);
const render = FORMATS[format ?? ''];
if (!jobDir || !render) {
  process.stderr.write(
    `usage: reportWorker JOB_DIR FORMAT [1]; formats: ${Object.keys(FORMATS).join(', ')}\n`,
  );
  process.exit(2);
}
// one line for each failure: the server answers with it (a stack trace says nothing to whoever downloads)
function fail(what: string, error: unknown): never {
  process.stderr.write(`${what}${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
}

async function renderReport(dir: string, render: Renderer): Promise<void> {
  let result: JobResult;
  try {
    result = await readJobResult(dir);
  } catch (error) {
    // readJobResult's errors name the file and line already
    fail('', error);
  }
  const pieces = render({
    ...result.report,
    ...(result.traffic ? { traffic: result.traffic } : {}),
    showSuppressed: suppressed === '1',
  });
  try {
    await writePieces(pieces, process.stdout);
  } catch (error) {
    fail(`the ${format} report: `, error);
  }
  process.stdout.write('', () => process.exit(0));
}

void renderReport(jobDir, render);
