import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestInMemory } from './helpers/ingestInMemory.js';

/**
 * Damaged gzip files as interrupted downloads and bad copies leave them, read by flowhawk and by
 * `zcat`: flowhawk must keep at least every valid record zcat prints, store nothing that is not one
 * of the records written, and say where the damage is.
 */

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-gzdamage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** Records numbered from `first`: the number is in srcport and bytes, so each record is told apart. */
function records(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    return `2 123456789012 eni-0a1b2c3d 10.0.${n % 250}.${(n >> 8) % 250} 172.16.0.9 ${1024 + (n % 60000)} 443 6 ${1 + (n % 40)} ${100000 + n} ${1600000000 + n} ${1600000060 + n} ACCEPT OK`;
  });
}

const written = new Set<string>();
function text(first: number, count: number, header = false): Buffer {
  const lines = records(first, count);
  for (const line of lines) written.add(line);
  return Buffer.from(`${header ? `${HEADER}\n` : ''}${lines.join('\n')}\n`);
}

let serial = 0;
function file(bytes: Buffer): string {
  const path = join(dir, `damaged-${serial++}.log.gz`);
  writeFileSync(path, bytes);
  return path;
}

/** Valid records among the lines `zcat` prints for the file, whatever its exit status. */
function zcatRecords(path: string): number {
  const run = spawnSync('zcat', [path], { maxBuffer: 1 << 30 });
  expect(run.error).toBeUndefined();
  return run.stdout
    .toString('latin1')
    .split('\n')
    .filter((line) => written.has(line)).length;
}

/** A member of `count` records with one byte changed so that zlib stops with a data (not a check) error. */
function corruptMember(first: number, count: number): Buffer {
  const member = gzipSync(text(first, count));
  for (let offset = Math.floor(member.length * 0.4); offset < member.length - 20; offset += 97) {
    const damaged = Buffer.from(member);
    damaged[offset] = (damaged[offset] as number) ^ 0x55;
    try {
      gunzipSync(damaged);
    } catch (error) {
      if (!/check/.test((error as Error).message)) return damaged;
    }
  }
  throw new Error('no single-byte change made a data error');
}

async function read(path: string) {
  const db = await ingestInMemory([path]);
  const stored =
    await db.rows(`SELECT src_addr, dst_addr, src_port, dst_port, packets, bytes, start_time AS s,
      end_time AS e FROM flows`);
  const bad = await db.rows('SELECT line, reason FROM bad_lines ORDER BY line');
  const count = await db.rows('SELECT count(*) AS n, count(DISTINCT line) AS lines FROM flows');
  db.store.close();
  // every stored flow is one of the records written (the numbering makes bytes unique)
  const known = new Set([...written].map((line) => line.split(' ')[9]));
  expect(stored.filter((row) => !known.has(String(row.bytes)))).toEqual([]);
  expect(count[0]?.n).toBe(count[0]?.lines);
  return { summary: db.summary, records: Number(count[0]?.n), bad };
}

describe('damaged gzip files', () => {
  it('keeps every record of a file followed by garbage, and warns once with the offset', async () => {
    const good = gzipSync(text(0, 1000, true));
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256));
    const path = file(Buffer.concat([good, garbage]));
    const { summary, records, bad } = await read(path);

    expect(zcatRecords(path)).toBe(1000);
    expect(records).toBe(1000);
    expect(bad).toEqual([]);
    const warnings = summary.warnings.filter((w) => /trailing garbage/.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`byte offset ${good.length}`);
  });

  it('keeps the records before a corrupt member and after it, and names its line and offset', async () => {
    const first = gzipSync(text(0, 20000, true));
    const corrupt = corruptMember(20000, 20000);
    const last = gzipSync(text(40000, 500));
    const path = file(Buffer.concat([first, corrupt, last]));
    const { summary, records, bad } = await read(path);

    const zcat = zcatRecords(path);
    // zcat stops at the corrupt member: what it printed of it counts, the member after it does not
    expect(zcat).toBeGreaterThan(20000);
    expect(zcat).toBeLessThan(40000);
    expect(records).toBeGreaterThanOrEqual(zcat + 500);
    const damage = bad.find((b) => /gzip stream corrupt/.test(String(b.reason)));
    expect(damage?.reason).toMatch(new RegExp(`member that starts at byte offset ${first.length}\\b`));
    expect(damage?.reason).toMatch(/decoding resumed at the next member, byte offset \d+/);
    // the bad line sits where the good lines of the corrupt member end
    expect(Number(damage?.line)).toBeGreaterThan(20001);
    expect(summary.records).toBe(records);
  });

  it('keeps every record before the cut of a truncated file, at any cut', async () => {
    const whole = gzipSync(text(50000, 30000, true));
    for (const keep of [0.05, 0.37, 0.61, 0.93]) {
      const path = file(whole.subarray(0, Math.floor(whole.length * keep)));
      const { records, bad } = await read(path);
      const zcat = zcatRecords(path);
      expect(records).toBeGreaterThanOrEqual(zcat);
      expect(zcat).toBeGreaterThan(0);
      // one bad line: the record the cut went through (or, at a line's end, the cut itself)
      expect(bad).toHaveLength(1);
      expect(bad[0]?.reason).toMatch(/^gzip stream truncated/);
      expect(Number(bad[0]?.line)).toBe(records + 2);
    }
    // a cut inside the trailer takes only the checksum: every record is kept, the cut still said
    const path = file(whole.subarray(0, whole.length - 4));
    const { records, bad } = await read(path);
    expect(records).toBe(30000);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[30002, expect.stringMatching(/8-byte trailer/)]]);
  });

  it('reads a member whose checksum fails, and says its values may be wrong', async () => {
    const member = Buffer.from(gzipSync(text(90000, 3000, true)));
    // the CRC-32 in the trailer: the data decode, the check does not hold
    member[member.length - 8] = (member[member.length - 8] as number) ^ 0xff;
    const path = file(Buffer.concat([member, gzipSync(text(93000, 10))]));
    const { records, bad } = await read(path);

    expect(zcatRecords(path)).toBe(3000);
    expect(records).toBe(3010);
    expect(bad.map((b) => b.reason)).toEqual([expect.stringMatching(/fails its integrity check/)]);
  });
});
