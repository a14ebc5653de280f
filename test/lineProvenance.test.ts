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

it('keeps exact lines after blank lines, refused and out-of-range lines, and across gzip members', async () => {
  const header =
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  // record at line n carries n as its source port; `odd` lines at fixed places
  const record = (n: number) =>
    `2 123456789012 eni-0a 10.0.0.1 10.0.0.2 ${n} 443 6 1 40 1500000000 1500000060 ACCEPT OK`;
  const odd: Record<number, string> = {
    5: '', // blank: the CSV reader skips these silently, so every later line would shift by one
    6: '',
    9: record(9).replace(' 1 40 ', ' x9 40 '), // not a number
    12: record(12).replace(' 443 ', ' 70000 '), // a port out of range
    20: '',
  };
  const lines = [header, ...Array.from({ length: 39 }, (_, i) => odd[i + 2] ?? record(i + 2))];
  mkdirSync(join(dir, 'odd'));
  writeFileSync(join(dir, 'odd', 'plain.log'), `${lines.join('\n')}\n`);
  // three gzip members, the boundaries inside lines 15 and 31: gzip allows a cut anywhere
  const text = `${lines.join('\n')}\n`;
  const cuts = [text.indexOf(record(15)) + 10, text.indexOf(record(31)) + 25];
  const members = [text.slice(0, cuts[0]), text.slice(cuts[0], cuts[1]), text.slice(cuts[1])];
  writeFileSync(join(dir, 'odd', 'members.log.gz'), Buffer.concat(members.map((m) => gzipSync(m))));
  const db = await ingestInMemory([join(dir, 'odd')]);
  const flows = await db.rows(`SELECT path, line, src_port FROM flows JOIN ingested_files USING (file_id)
    ORDER BY path, line`);
  const bad = await db.rows(`SELECT path, line, reason FROM bad_lines JOIN ingested_files USING (file_id)
    ORDER BY path, line`);
  db.store.close();
  const good = lines.flatMap((l, i) => (i > 0 && l !== '' && i + 1 !== 9 && i + 1 !== 12 ? [i + 1] : []));
  for (const file of ['members.log.gz', 'plain.log']) {
    const mine = flows.filter((f) => String(f.path).endsWith(file));
    expect(mine.map((f) => f.line)).toEqual(good);
    expect(mine.every((f) => f.line === f.src_port)).toBe(true);
    // blank lines are reported too, at their own lines
    expect(bad.filter((b) => String(b.path).endsWith(file)).map((b) => [b.line, b.reason])).toEqual([
      [5, 'empty line'],
      [6, 'empty line'],
      [9, 'packets "x9" is not an integer 0-9007199254740991'],
      [12, 'dstport "70000" is not an integer 0-65535'],
      [20, 'empty line'],
    ]);
  }
});
