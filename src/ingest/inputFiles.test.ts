import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FlowhawkError } from '../errors.js';
import { expandInputs, unreadableReason } from './inputFiles.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'flowhawk-inputs-'));
});

/** Writes `files` (relative paths) under root, creating their folders. */
function files(...paths: string[]) {
  for (const path of paths) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), `${path}\n`);
  }
}

const at = (...parts: string[]) => join(root, ...parts);
const walkedPaths = async (...paths: string[]) => (await expandInputs(paths)).files.map((f) => f.path);

describe('expandInputs follows symlinks', () => {
  it('reads a symlinked file and the files of a symlinked folder, in sorted order', async () => {
    files('logs/a.log', 'elsewhere/b.log', 'elsewhere/more/c.log');
    symlinkSync(at('elsewhere', 'b.log'), at('logs', 'b-link.log'));
    symlinkSync(at('elsewhere', 'more'), at('logs', 'more-link'));
    const { files: found, unreadable } = await expandInputs([at('logs')]);
    expect(found).toEqual([
      { path: at('logs', 'a.log'), walked: true },
      { path: at('logs', 'b-link.log'), walked: true },
      { path: at('logs', 'more-link', 'c.log'), walked: true },
    ]);
    expect(unreadable).toEqual([]);
  });

  it('ends at a symlink back to an ancestor, each file once', async () => {
    files('logs/a.log', 'logs/day/b.log');
    symlinkSync(at('logs'), at('logs', 'day', 'up'));
    symlinkSync('..', at('logs', 'day', 'parent'));
    expect(await walkedPaths(at('logs'))).toEqual([at('logs', 'a.log'), at('logs', 'day', 'b.log')]);
  });

  it('keeps the first path by which a file is reached, whether link or file comes first', async () => {
    files('logs/m.log');
    symlinkSync(at('logs', 'm.log'), at('logs', 'a-alias.log'));
    symlinkSync(at('logs', 'm.log'), at('logs', 'z-alias.log'));
    expect(await walkedPaths(at('logs'))).toEqual([at('logs', 'a-alias.log')]);
  });

  it('reads a file once when it is named twice, or named and also inside a named folder', async () => {
    files('logs/a.log', 'logs/b.log');
    const found = await expandInputs([at('logs', 'b.log'), at('logs'), at('logs', 'b.log')]);
    expect(found.files).toEqual([
      { path: at('logs', 'b.log'), walked: false },
      { path: at('logs', 'a.log'), walked: true },
    ]);
  });
});

describe('expandInputs lists what it cannot read and goes on', () => {
  it('names a dangling symlink and a symlink loop, and still reads the rest', async () => {
    files('logs/a.log');
    symlinkSync(at('gone.log'), at('logs', 'dangling.log'));
    symlinkSync(at('logs', 'self'), at('logs', 'self'));
    const { files: found, unreadable } = await expandInputs([at('logs')]);
    expect(found.map((f) => f.path)).toEqual([at('logs', 'a.log')]);
    expect(unreadable).toEqual([
      { path: at('logs', 'dangling.log'), reason: 'dangling symlink (its target does not exist)' },
      { path: at('logs', 'self'), reason: 'too many levels of symbolic links' },
    ]);
  });

  it('lists a named path whose name is too long instead of failing the run', async () => {
    files('a.log');
    const long = at('x'.repeat(300));
    const { files: found, unreadable } = await expandInputs([long, at('a.log')]);
    expect(found.map((f) => f.path)).toEqual([at('a.log')]);
    expect(unreadable).toEqual([{ path: long, reason: 'name too long' }]);
  });

  const mkfifo = spawnSync('mkfifo', ['--version']).status === 0;
  it.skipIf(!mkfifo)('lists a FIFO found in a folder rather than waiting on it forever', async () => {
    files('logs/a.log');
    expect(spawnSync('mkfifo', [at('logs', 'pipe')]).status).toBe(0);
    const { files: found, unreadable } = await expandInputs([at('logs')]);
    expect(found.map((f) => f.path)).toEqual([at('logs', 'a.log')]);
    expect(unreadable).toEqual([
      { path: at('logs', 'pipe'), reason: 'not a regular file (a FIFO, socket or device)' },
    ]);
  });

  it('keeps "no such file or directory" for a named path that does not exist, saying where a link led', async () => {
    const missing = expandInputs([at('nope')]);
    await expect(missing).rejects.toThrow(FlowhawkError);
    await expect(missing).rejects.toThrow(`${at('nope')}: no such file or directory`);
    symlinkSync(at('gone'), at('link'));
    await expect(expandInputs([at('link')])).rejects.toThrow(
      `${at('link')}: no such file or directory (a symlink to ${at('gone')}, which does not exist)`,
    );
  });

  it('treats running out of file descriptors as fatal, not as an unreadable file', () => {
    const error = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(unreadableReason(error('EMFILE', 'EMFILE: too many open files, open'))).toBeUndefined();
    expect(unreadableReason(error('EACCES', "EACCES: permission denied, open '/x'"))).toBe(
      'permission denied',
    );
    expect(unreadableReason(error('EBUSY', "EBUSY: resource busy or locked, open '/x'"))).toBe(
      'resource busy or locked',
    );
    expect(unreadableReason(new Error('not a system error'))).toBeUndefined();
  });
});
