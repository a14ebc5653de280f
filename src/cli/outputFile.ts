import { constants } from 'node:fs';
import { access, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FlowhawkError } from '../errors.js';

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
 * Writes the output whole or not at all: into a temporary file beside it, renamed over it once
 * complete, so that a run stopped while writing never leaves half a report where a report was.
 */
export async function writeOutput(path: string, text: string): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    await writeFile(partial, text);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw outputError(
      path,
      `could not be written (${(error as Error).message})`,
      'check the disk and the path',
    );
  }
}

function outputError(path: string, problem: string, hint: string): FlowhawkError {
  return new FlowhawkError('OUTPUT', `--output ${path}: ${problem}`, hint);
}
