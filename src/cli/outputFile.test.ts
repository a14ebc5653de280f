import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutput, writeOutput } from './outputFile.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--output', () => {
  it('is refused before any work when its folder is missing, or when it is a folder', async () => {
    await expect(checkOutput(join(dir, 'missing', 'report.html'))).rejects.toThrow(
      /--output .*report\.html: its folder .*missing does not exist/,
    );
    await expect(checkOutput(dir)).rejects.toThrow(/is a folder/);
    await expect(checkOutput(join(dir, 'report.html'))).resolves.toBeUndefined();
  });

  it('replaces an earlier report whole and leaves no partial file behind', async () => {
    const path = join(dir, 'findings.json');
    writeFileSync(path, 'the report of yesterday');
    await writeOutput(path, '{"findings":[]}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"findings":[]}\n');
    expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('says which output could not be written, keeping what was there', async () => {
    const path = join(dir, 'gone', 'x.json');
    await expect(writeOutput(path, 'x')).rejects.toThrow(/--output .*x\.json: could not be written/);
  });
});
