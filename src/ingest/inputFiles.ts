import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowhawkError } from '../errors.js';

/**
 * Expands the paths a user gave into the files to read: directories are walked recursively (both S3
 * layouts nest five or six levels deep), in a stable order; hidden files are skipped; '-' is stdin.
 */
export interface InputFile {
  path: string;
  /** found by walking a directory, rather than named by the user */
  walked: boolean;
}

export async function expandInputs(paths: readonly string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ path, walked: false });
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new FlowhawkError(
        'INPUT_MISSING',
        `${path}: no such file or directory`,
        'check the path you gave',
      );
    }
    if (info.isDirectory()) out.push(...(await walk(path)).map((file) => ({ path: file, walked: true })));
    else out.push({ path, walked: false });
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}
