import { constants, createWriteStream, rmSync } from 'node:fs';
import { access, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { FlowhawkError, InterruptedError } from '../errors.js';
import { type Pieces, writePieces } from '../outputs/writePieces.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Refuses an --output that cannot be written before any work is done (a scan of a week of logs
 * should not end in "no such directory"): a folder that does not exist or cannot be written, a path
 * that is a folder.
 */
export async function checkOutput(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw outputError(path, 'is a folder', 'give a file name, e.g. --output report.html');
  }
  const folder = dirname(path);
  await access(folder, constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT'
      ? outputError(
          path,
          `its folder ${folder} does not exist`,
          'create the folder first, or write elsewhere',
        )
      : outputError(path, `cannot write in ${folder} (${error.code ?? error.message})`, 'write elsewhere');
  });
}

/**
 * Writes the output whole or not at all: streamed into a temporary file beside it, renamed over it
 * once complete, so that a run stopped or failing while writing never leaves half a report where a
 * report was. Ctrl-C or SIGTERM while writing removes the temporary file and exits 130/143. An error
 * of the renderer itself is passed on as it is; one of the disk becomes an OUTPUT error.
 */
export async function writeOutput(path: string, pieces: Pieces): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const file = createWriteStream(partial);
  // until the stream has opened the file, a disk error is on the stream, not yet on a write
  let diskError: Error | undefined;
  file.on('error', (error) => {
    diskError ??= error;
  });
  const stop = removeOnSignal(partial, path);
  try {
    await writePieces(pieces, file);
    file.end();
    await finished(file);
    await rename(partial, path);
  } catch (error) {
    file.destroy();
    await rm(partial, { force: true });
    const cause = diskError ?? (isStreamError(error) ? error : undefined);
    if (!cause) throw error;
    throw outputError(path, `could not be written (${cause.message})`, 'check the disk and the path');
  } finally {
    stop();
  }
}

/** Standard output, or --output: where every command writes its report. */
export async function writeReport(pieces: Pieces, output: string | undefined): Promise<void> {
  if (output) return writeOutput(output, pieces);
  try {
    await writePieces(pieces, process.stdout);
  } catch (error) {
    // a reader that stopped reading (`| head`) wants no more: not an error of the run
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

const isStreamError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** While a file is being written, a stop removes it (the kept report stays as it was) and exits. */
function removeOnSignal(partial: string, path: string): () => void {
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      rmSync(partial, { force: true });
      process.stderr.write(`flowhawk: ${name}: stopped writing ${path}; it is as it was\n`);
      process.exit(new InterruptedError(name, '').exitCode);
    };
    process.once(name, handler);
    return { name, handler };
  });
  return () => {
    for (const { name, handler } of handlers) process.off(name, handler);
  };
}

function outputError(path: string, problem: string, hint: string): FlowhawkError {
  return new FlowhawkError('OUTPUT', `--output ${path}: ${problem}`, hint);
}
