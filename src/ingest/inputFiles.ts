import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowhawkError } from '../errors.js';
import type { UnreadableFile } from '../report.js';

/**
 * Expands the paths a user gave into the files to read: directories are walked recursively (both S3
 * layouts nest five or six levels deep), in a stable order; hidden files are skipped; '-' is stdin.
 * Symlinks are followed, each real file and folder is visited once (a link back to an ancestor ends
 * there), and what cannot be read is listed instead of ending the run: nothing is dropped silently.
 */
export interface InputFile {
  path: string;
  /** found by walking a directory, rather than named by the user */
  walked: boolean;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** files and folders that could not be read, in the order they were met */
  unreadable: UnreadableFile[];
}

/** Entries stat'ed at once in one folder: an S3 day folder can hold tens of thousands of files. */
const STAT_BATCH = 256;

export async function expandInputs(paths: readonly string[]): Promise<ExpandedInputs> {
  const walker = new Walker();
  for (const path of paths) {
    if (path === '-') {
      walker.files.push({ path, walked: false });
      continue;
    }
    let info: BigIntStats;
    try {
      info = await stat(path, { bigint: true });
    } catch (error) {
      if (isMissing(error)) throw await missingInput(path);
      walker.skip(path, error);
      continue;
    }
    if (info.isDirectory()) await walker.directory(path, info);
    // anything else the user named is read as given: `<(zcat …)` is a pipe, not a regular file
    else walker.file(path, info, false);
  }
  return { files: walker.files, unreadable: walker.unreadable };
}

/**
 * Why a file or folder could not be read, for the ingest summary; undefined when the error is not
 * about that path (the process ran out of file descriptors or memory), which must stay fatal.
 */
export function unreadableReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || NOT_ABOUT_THE_PATH.has(code)) return undefined;
  return REASONS[code] ?? libuvText(error as Error) ?? code;
}

const NOT_ABOUT_THE_PATH = new Set(['EMFILE', 'ENFILE', 'ENOMEM']);

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  ENOENT: 'no longer exists',
  ENOTDIR: 'a path component is not a folder',
  EIO: 'input/output error',
  EISDIR: 'is a folder',
};

/** The operating system's words in a Node error ("EBUSY: resource busy or locked, open '…'"). */
function libuvText(error: Error): string | undefined {
  return /^[A-Z0-9]+: ([^,]+)/.exec(error.message)?.[1];
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A named path that leads nowhere: a typo, or a symlink whose target has gone. */
async function missingInput(path: string): Promise<FlowhawkError> {
  const target = await readlink(path).catch(() => undefined);
  const detail = target === undefined ? '' : ` (a symlink to ${target}, which does not exist)`;
  return new FlowhawkError(
    'INPUT_MISSING',
    `${path}: no such file or directory${detail}`,
    'check the path you gave',
  );
}

/** Depth-first, sorted, following symlinks; remembers every real file and folder it has been to. */
class Walker {
  readonly files: InputFile[] = [];
  readonly unreadable: UnreadableFile[] = [];
  private readonly visited = new Set<string>();

  file(path: string, info: BigIntStats, walked: boolean): void {
    if (this.firstVisit(info)) this.files.push({ path, walked });
  }

  skip(path: string, error: unknown, viaSymlink = false): void {
    const reason = unreadableReason(error);
    if (reason === undefined) throw error;
    const dangling = viaSymlink && (error as NodeJS.ErrnoException).code === 'ENOENT';
    this.unreadable.push({
      path,
      reason: dangling ? 'dangling symlink (its target does not exist)' : reason,
    });
  }

  async directory(dir: string, info: BigIntStats): Promise<void> {
    if (!this.firstVisit(info)) return;
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => !name.startsWith('.'));
    } catch (error) {
      this.skip(dir, error);
      return;
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let at = 0; at < names.length; at += STAT_BATCH) {
      const batch = names.slice(at, at + STAT_BATCH).map((name) => join(dir, name));
      const found = await Promise.all(batch.map(entryFacts));
      for (const [i, path] of batch.entries()) await this.entry(path, found[i] as EntryFacts);
    }
  }

  private async entry(path: string, found: EntryFacts): Promise<void> {
    if ('error' in found) this.skip(path, found.error, found.symlink);
    else if (found.info.isDirectory()) await this.directory(path, found.info);
    else if (found.info.isFile()) this.file(path, found.info, true);
    // reading a FIFO found in a folder would wait forever for a writer
    else this.unreadable.push({ path, reason: 'not a regular file (a FIFO, socket or device)' });
  }

  /** False for a file or folder already reached by another path (a symlink, a hard link, a loop). */
  private firstVisit(info: BigIntStats): boolean {
    // some filesystems report no inode numbers: every path counts as its own file there
    if (info.ino === 0n) return true;
    const key = `${info.dev}:${info.ino}`;
    if (this.visited.has(key)) return false;
    this.visited.add(key);
    return true;
  }
}

type EntryFacts = { info: BigIntStats } | { error: unknown; symlink: boolean };

/** The entry's target (symlinks followed); on failure, whether the entry itself is a symlink. */
async function entryFacts(path: string): Promise<EntryFacts> {
  try {
    return { info: await stat(path, { bigint: true }) };
  } catch (error) {
    const link = await lstat(path).catch(() => undefined);
    return { error, symlink: link?.isSymbolicLink() ?? false };
  }
}
