import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('streams into the temporary file while rendering, and puts it in place only when complete', async () => {
    const path = join(dir, 'big.json');
    writeFileSync(path, 'the report of yesterday');
    const partial = () => readdirSync(dir).find((name) => name.startsWith('.big.json.'));
    const seen: { partialBytes: number; target: string }[] = [];
    function* pieces() {
      for (let i = 0; i < 400; i++) {
        yield `${'x'.repeat(9_999)}\n`;
        if (i % 100 === 99) {
          const name = partial();
          seen.push({
            partialBytes: name ? statSync(join(dir, name)).size : 0,
            target: readFileSync(path, 'utf8'),
          });
        }
      }
    }
    await writeOutput(path, pieces());
    expect(statSync(path).size).toBe(4_000_000);
    // bytes reach the disk before the last piece is rendered; the old report stays until the rename
    expect(seen.at(-1)?.partialBytes).toBeGreaterThan(1_000_000);
    expect(seen.every((s) => s.target === 'the report of yesterday')).toBe(true);
    expect(partial()).toBeUndefined();
  });

  it("keeps the earlier report when the renderer fails midway, and passes the renderer's error on", async () => {
    const path = join(dir, 'kept.json');
    writeFileSync(path, 'the report of yesterday');
    function* failing() {
      for (let i = 0; i < 100; i++) yield 'y'.repeat(10_000);
      throw new TypeError('renderer bug');
    }
    await expect(writeOutput(path, failing())).rejects.toThrow(TypeError);
    expect(readFileSync(path, 'utf8')).toBe('the report of yesterday');
    expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);
  });
});
