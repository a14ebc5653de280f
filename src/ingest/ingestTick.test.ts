import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { DuckdbStore } from '../store/duckdbStore.js';
import { type FileProgress, ingest } from './ingest.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-tick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('ticks while a file is read, naming it, and stops ticking when ingest ends', async () => {
  const lines = [
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  ];
  for (let i = 0; i < 200_000; i++) {
    lines.push(
      `2 123456789012 eni-1 10.0.${(i >> 8) & 255}.${i & 255} 10.1.0.1 ${30000 + (i % 30000)} 443 6 3 180 ${1704153600 + i} ${1704153660 + i} ACCEPT OK`,
    );
  }
  const path = join(dir, 'big.log.gz');
  writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
  const ticks: FileProgress[] = [];
  const store = await DuckdbStore.open();
  try {
    await ingest(store, [path], {
      displayName: () => 'shown.log.gz',
      onTick: (p) => ticks.push(p),
      tickMs: 5,
    });
  } finally {
    store.close();
  }
  expect(ticks.length).toBeGreaterThan(2);
  expect(ticks.some((t) => t.done === 0 && t.path === 'shown.log.gz')).toBe(true);
  const after = ticks.length;
  await new Promise((r) => setTimeout(r, 50));
  expect(ticks.length).toBe(after);
});
