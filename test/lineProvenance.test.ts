import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { ingestInMemory } from './helpers/ingestInMemory.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('maps every record of many files batched together back to its own file and line', async () => {
  const header =
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  const sizes = [1, 2, 500, 3, 1200, 7, 64, 1];
  mkdirSync(join(dir, 'logs'));
  sizes.forEach((size, f) => {
    // each record carries its own line number (srcport) and file number (dstport), to check against
    const lines = Array.from(
      { length: size },
      (_, i) =>
        `2 123456789012 eni-0${f} 10.0.0.1 10.0.0.2 ${i + 2} ${f} 6 1 40 1500000000 1500000060 ACCEPT OK`,
    );
    const text = `${header}\n${lines.join('\n')}\n`;
    writeFileSync(join(dir, 'logs', `f${f}.log${f % 2 ? '.gz' : ''}`), f % 2 ? gzipSync(text) : text);
  });
  const db = await ingestInMemory([join(dir, 'logs')]);
  const wrong = await db.rows(`SELECT count(*) AS n FROM flows JOIN ingested_files USING (file_id)
    WHERE line <> src_port OR path NOT LIKE '%f' || dst_port || '.log%'`);
  const total = await db.rows(
    'SELECT count(*) AS n, count(DISTINCT (file_id, line)) AS distinct_lines FROM flows',
  );
  db.store.close();
  expect(wrong).toEqual([{ n: 0 }]);
  const expected = sizes.reduce((a, b) => a + b, 0);
  expect(total).toEqual([{ n: expected, distinct_lines: expected }]);
});
