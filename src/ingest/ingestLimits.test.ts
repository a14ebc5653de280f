import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlowhawkError } from '../errors.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { ingest } from './ingest.js';

const MiB = 1 << 20;
const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: DuckdbStore;
beforeEach(async () => {
  store = await DuckdbStore.open();
});
afterEach(() => store.close());

function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A default-format log of `records` accepted TCP flows, header first. */
function vpcText(records: number): string {
  const lines = Array.from(
    { length: records },
    (_, i) =>
      `2 123456789012 eni-0a1b2c3d 10.0.${i >> 8}.${i & 255} 10.1.0.9 ${40000 + (i % 20000)} 443 6 10 ${1000 + i} ${1700000000 + i} ${1700000060 + i} ACCEPT OK`,
  );
  return `${HEADER}\n${lines.join('\n')}\n`;
}

const count = async (sql: string) => Number((await store.query<{ n: bigint }>(sql))[0]?.n);

/** What ingest rejected with; fails the test when it did not reject. */
async function rejection(paths: string[], maxDecompressedBytes: number): Promise<FlowhawkError> {
  const error = await ingest(store, paths, { maxDecompressedBytes }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlowhawkError);
  return error as FlowhawkError;
}

function expectTooLarge(error: FlowhawkError, name: string, cap: string) {
  expect(error.code).toBe('INPUT_TOO_LARGE');
  expect(error.exitCode).toBe(3);
  expect(error.message).toBe(
    `${name}: more than ${cap} decompressed, the most allowed; the file was not ingested`,
  );
  expect(error.hint).toBe(
    "a gzip bomb, or a file larger than the server's --max-decompressed-size; raise the cap if the file is genuine",
  );
}

/** Descriptors this process holds on `path` (Linux). */
const descriptorsOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // closed since it was listed
    }
  });

describe('maxDecompressedBytes', () => {
  // 50 MiB of zeros: about 50 kB on disk, one 50 MiB "line" once gunzipped
  const bomb = write('bomb.log.gz', gzipSync(Buffer.alloc(50 * MiB)));

  it('stops a gzip bomb at the cap with an error that names the file and the cap', async () => {
    const started = performance.now();
    const error = await rejection([bomb], MiB);
    expect(performance.now() - started).toBeLessThan(5_000);
    expectTooLarge(error, bomb, '1.0 MiB');
    expect(await count('SELECT count(*) AS n FROM ingested_files')).toBe(0);
  });

  it.runIf(existsSync('/proc/self/fd'))('closes the file it stopped reading', async () => {
    await rejection([bomb], MiB);
    await vi.waitFor(() => expect(descriptorsOn(bomb)).toEqual([]), { timeout: 2_000 });
  });

  it('reads the same bomb without a cap, or under a cap it fits, as the one overlong line it is', async () => {
    for (const options of [{}, { maxDecompressedBytes: 64 * MiB }]) {
      const fresh = await DuckdbStore.open();
      try {
        const summary = await ingest(fresh, [bomb], options);
        expect(summary.files).toBe(1);
        expect(summary.records).toBe(0);
        expect(summary.badLineExamples.map((b) => b.reason)).toEqual([
          'line longer than 1 MiB (binary data or not a flow log?)',
        ]);
      } finally {
        fresh.close();
      }
    }
  });

  it('reads a gzipped log under the cap, and refuses it over a cap its compressed size is under', async () => {
    const text = vpcText(3000);
    const gz = gzipSync(text);
    const path = write('ok.log.gz', gz);
    const cap = 100 * 1024;
    expect(gz.length).toBeLessThan(cap);
    expect(text.length).toBeGreaterThan(cap);
    expectTooLarge(await rejection([path], cap), path, '100.0 KiB');
    const summary = await ingest(store, [path], { maxDecompressedBytes: text.length });
    expect(summary.records).toBe(3000);
    expect(summary.badLines).toBe(0);
  });

  it('refuses a plain file larger than the cap before registering it', async () => {
    const text = vpcText(3000);
    const path = write('plain.log', text);
    expectTooLarge(
      await rejection([path], text.length - 1),
      path,
      `${((text.length - 1) / 1024).toFixed(1)} KiB`,
    );
    expect(await count('SELECT count(*) AS n FROM ingested_files')).toBe(0);
    expect((await ingest(store, [path], { maxDecompressedBytes: text.length })).records).toBe(3000);
  });

  it('keeps the files read completely, forgets the one that failed, and reads it on a run with a higher cap', async () => {
    const good = write('good.log', vpcText(500));
    const error = await rejection([good, bomb], MiB);
    expectTooLarge(error, bomb, '1.0 MiB');
    expect(await store.query('SELECT path FROM ingested_files')).toEqual([{ path: good }]);
    expect(await count('SELECT count(*) AS n FROM flows')).toBe(500);
    // not skipped as "already ingested": the failed file left nothing behind
    const again = await ingest(store, [bomb], { maxDecompressedBytes: 64 * MiB });
    expect(again.filesSkipped).toEqual([]);
    expect(again.files).toBe(1);
    expect(again.badLines).toBe(1);
  });

  describe('Parquet', () => {
    /** 20,000 v2 records: about 400 kB on disk, about 830 kB of column data uncompressed. */
    async function writeParquet(path: string): Promise<void> {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        await connection.run(`COPY (SELECT 2 AS version, '123456789012' AS account_id,
            'eni-0a1b2c3d4e5f60718' AS interface_id, '10.0.' || (i // 250 % 250) || '.' || (i % 250) AS srcaddr,
            '10.1.0.9' AS dstaddr, (40000 + i % 20000)::INTEGER AS srcport, 443 AS dstport, 6 AS protocol,
            10::BIGINT AS packets, (1000 + i)::BIGINT AS bytes, (1700000000 + i)::BIGINT AS start,
            (1700000060 + i)::BIGINT AS "end", 'ACCEPT' AS action, 'OK' AS log_status
          FROM range(20000) t(i)) TO '${path}' (FORMAT parquet)`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }

    it('refuses a file whose uncompressed column data exceeds the cap, though its size on disk does not', async () => {
      const path = join(dir, 'flows.parquet');
      await writeParquet(path);
      const cap = 600 * 1024;
      expect(statSync(path).size).toBeLessThan(cap);
      expectTooLarge(await rejection([path], cap), path, '600.0 KiB');
      expect(await count('SELECT count(*) AS n FROM ingested_files')).toBe(0);
      const summary = await ingest(store, [path], { maxDecompressedBytes: 2 * MiB });
      expect(summary.records).toBe(20000);
    });
  });
});
