import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ingestInMemory } from './helpers/ingestInMemory.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'version srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const record = (start: string, end: string) =>
  `2 10.0.0.5 10.0.0.6 50000 443 6 3 180 ${start} ${end} ACCEPT OK`;

it('accepts decimal seconds in start and end, and still rejects what is no time', async () => {
  const lines = [
    HEADER,
    record('1418530010', '1418530070'),
    record('1418530010.5', '1418530070.123456'),
    record('nan', '1418530070'),
    record('1418530010', 'inf'),
    record('-1', '1418530070'),
    record('x', '1418530070'),
    record('4294967296', '4294967296'),
  ];
  const path = join(dir, 'times.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const db = await ingestInMemory([path]);
  const flows = await db.rows('SELECT line, start_time, end_time FROM flows ORDER BY line');
  const bad = await db.rows('SELECT line, reason FROM bad_lines ORDER BY line');
  db.store.close();
  expect(flows).toEqual([
    { line: 2, start_time: 1418530010, end_time: 1418530070 },
    { line: 3, start_time: 1418530010.5, end_time: 1418530070.123456 },
  ]);
  expect(bad).toEqual([
    { line: 4, reason: 'start "nan" is not Unix seconds 0-4294967295' },
    { line: 5, reason: 'end "inf" is not Unix seconds 0-4294967295' },
    { line: 6, reason: 'start "-1" is not Unix seconds 0-4294967295' },
    { line: 7, reason: 'start "x" is not Unix seconds 0-4294967295' },
    { line: 8, reason: 'start "4294967296" is not Unix seconds 0-4294967295' },
  ]);
});
