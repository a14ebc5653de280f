import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { countLines } from '../src/readers/lineChunks.js';
import { mutated, V2_HEADER, v2Health, v2Record } from './helpers/flowArbitraries.js';
import { ingestInMemory } from './helpers/ingestInMemory.js';

/**
 * Property tests over the text reader and the store behind it: whatever bytes come in, the run does
 * not crash and every line ends up as exactly one of record, log-health fact, header or bad line.
 */
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = fc.oneof(
  { arbitrary: v2Record, weight: 6 },
  { arbitrary: v2Health, weight: 1 },
  { arbitrary: mutated(v2Record), weight: 4 },
  { arbitrary: fc.constant(V2_HEADER), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 1 },
);
const file = fc.record({
  header: fc.boolean(),
  lines: fc.array(line, { maxLength: 60 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
});

let serial = 0;
function write(content: Buffer, gzip: boolean): string {
  const path = join(dir, `f${serial++}${gzip ? '.gz' : '.log'}`);
  writeFileSync(path, gzip ? gzipSync(content) : content);
  return path;
}

function render(f: { header: boolean; lines: string[]; crlf: boolean; finalNewline: boolean }): Buffer {
  const lines = f.header ? [V2_HEADER, ...f.lines] : f.lines;
  const text = lines.join(f.crlf ? '\r\n' : '\n') + (f.finalNewline && lines.length > 0 ? '\n' : '');
  return Buffer.from(text, 'utf8');
}

async function accounted(paths: string[]) {
  const { store, summary } = await ingestInMemory(paths);
  store.close();
  return {
    summary,
    total: summary.records + summary.nodata + summary.skipdata + summary.headers + summary.badLines,
  };
}

describe('reader properties', () => {
  it('accounts for every line of random and mutated text, plain or gzip', async () => {
    await fc.assert(
      fc.asyncProperty(file, fc.boolean(), async (f, gzip) => {
        const content = render(f);
        const { total } = await accounted([write(content, gzip)]);
        expect(total).toBe(countLines(content));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps every decodable line of a truncated gzip file and reports the truncation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(v2Record, { minLength: 200, maxLength: 400 }),
        fc.double({ min: 0.2, max: 0.9, noNaN: true }),
        async (lines, keep) => {
          const whole = gzipSync(Buffer.from(`${V2_HEADER}\n${lines.join('\n')}\n`));
          const path = join(dir, `cut${serial++}.log.gz`);
          writeFileSync(path, whole.subarray(0, Math.floor(whole.length * keep)));
          const { summary } = await accounted([path]);
          expect(summary.records).toBeLessThan(lines.length);
          expect(summary.badLineExamples.at(-1)?.reason).toMatch(/gzip stream truncated/);
          // every line before the cut is a record, and only the cut-off last line may be damaged
          expect(summary.badLines).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('never crashes on random bytes, gzip-looking or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), async (bytes, magic) => {
        const content = magic ? Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]) : Buffer.from(bytes);
        const path = join(dir, `r${serial++}.bin`);
        writeFileSync(path, content);
        const { total } = await accounted([path]);
        expect(total).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 30 },
    );
  });

  it('gives the same flows whether a chunk takes the fast path or the careful one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(v2Record, { minLength: 1, maxLength: 80 }), async (lines) => {
        const clean = write(Buffer.from(`${V2_HEADER}\n${lines.join('\n')}\n`), false);
        // a trailing comment on the last line sends the whole chunk down the careful path
        const quirky = write(Buffer.from(`${V2_HEADER}\n${lines.join('\n')} # note\n`), false);
        const flows = async (path: string) => {
          const db = await ingestInMemory([path]);
          const rows = await db.rows('SELECT * EXCLUDE (file_id) FROM flows ORDER BY line');
          db.store.close();
          return rows;
        };
        expect(await flows(quirky)).toEqual(await flows(clean));
      }),
      { numRuns: 15 },
    );
  });
});
