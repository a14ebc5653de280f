import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { deliveryKey, logObject } from './helpers/s3Fixtures.js';
import { childEnv, startS3, type TestS3, useTestS3Env } from './helpers/s3Server.js';

/**
 * s3:// inputs into a workspace, through the real SDK against s3rver: a re-run downloads nothing it
 * holds (by ETag and size, before any GetObject), a rewritten object is read once more and its rows
 * replaced, and a run killed mid-way then run again holds exactly what one clean run holds.
 */

const ACCOUNT = '111122223333';
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-s3ws-'));
let s3: TestS3;
let restoreEnv: () => void;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 15, 10, minute));
const keyAt = (minute: number) => deliveryKey('classic', ACCOUNT, 'eu-west-1', at(minute));
const ports = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** The small bucket: four objects of three records each. */
const SMALL = [0, 10, 20, 30];
/** The bucket the killed run reads: ten objects of 4,000 records each. */
const LARGE = Array.from({ length: 10 }, (_, i) => i * 5);
const LARGE_RECORDS = 4000;

beforeAll(async () => {
  s3 = await startS3();
  restoreEnv = useTestS3Env(s3.url);
  await s3.createBucket('incremental');
  for (const m of SMALL) await s3.put('incremental', keyAt(m), logObject(ACCOUNT, at(m), ports(1000 + m, 3)));
  await s3.createBucket('killed');
  for (const m of LARGE)
    s3.seed('killed', keyAt(m), logObject(ACCOUNT, at(m), ports(m * 1000, LARGE_RECORDS)));
}, 60_000);

afterAll(async () => {
  restoreEnv?.();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ingestInto(workspace: string, url: string) {
  const store = await DuckdbStore.open({ workspace });
  try {
    return await ingest(store, [url]);
  } finally {
    store.close();
  }
}

/** What a workspace holds, read without flowhawk (which tidies it on opening). */
async function contents(workspace: string) {
  const instance = await DuckDBInstance.create(workspace);
  const connection = await instance.connect();
  try {
    const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
    const [flows] = await read(`SELECT count(*)::INTEGER AS records,
        count(DISTINCT (f.path, line))::INTEGER AS distinct_lines,
        coalesce(sum(hash(f.path, line, src_port, start_time, bytes)), 0)::VARCHAR AS digest,
        count(*) FILTER (WHERE f.complete IS NOT true)::INTEGER AS unfinished
      FROM flows JOIN ingested_files f USING (file_id)`);
    const files = await read(
      'SELECT path, etag, size_bytes::INTEGER AS size, complete FROM ingested_files ORDER BY path',
    );
    return { flows: flows as Record<string, number | string>, files };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The source ports stored for one object. */
async function portsOf(workspace: string, path: string): Promise<number[]> {
  const instance = await DuckDBInstance.create(workspace);
  const connection = await instance.connect();
  try {
    const rows = await connection.runAndReadAll(
      'SELECT src_port FROM flows JOIN ingested_files f USING (file_id) WHERE f.path = $1 ORDER BY src_port',
      [path],
    );
    return rows.getRowObjectsJS().map((r) => Number(r.src_port));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const gotKeys = async () => (await s3.gets()).map((r) => r.path.split('/').slice(2).join('/'));

describe('an S3 prefix ingested into a workspace', () => {
  const workspace = join(dir, 'incremental.duckdb');

  it('records each object by key, ETag and size, and a re-run downloads none of them', async () => {
    await s3.reset();
    const first = await ingestInto(workspace, 's3://incremental/AWSLogs/');
    expect(first.files).toBe(SMALL.length);
    expect((await gotKeys()).sort()).toEqual(SMALL.map(keyAt).sort());
    const stored = await contents(workspace);
    expect(stored.flows.records).toBe(SMALL.length * 3);
    expect(stored.files.map((f) => f.path)).toEqual(SMALL.map((m) => `s3://incremental/${keyAt(m)}`).sort());
    expect(stored.files.every((f) => /^"[0-9a-f]{32}"$/.test(String(f.etag)))).toBe(true);

    await s3.reset();
    const again = await ingestInto(workspace, 's3://incremental/AWSLogs/');
    expect(await gotKeys()).toEqual([]);
    expect((await s3.lists()).length).toBeGreaterThan(0);
    expect(again.files).toBe(0);
    expect(again.filesSkipped.map((f) => f.reason)).toEqual(
      SMALL.map(() => 'already ingested (same ETag and size)'),
    );
    expect((await contents(workspace)).flows).toEqual(stored.flows);
  });

  it('reads a rewritten object once more and replaces its rows, the others untouched', async () => {
    const before = await contents(workspace);
    const rewritten = keyAt(10);
    await s3.put('incremental', rewritten, logObject(ACCOUNT, at(10), ports(7000, 5)));
    await s3.reset();
    const run = await ingestInto(workspace, 's3://incremental/AWSLogs/');
    expect(await gotKeys()).toEqual([rewritten]);
    expect(run.files).toBe(1);
    const after = await contents(workspace);
    expect(after.flows.records).toBe((SMALL.length - 1) * 3 + 5);
    expect(after.flows.distinct_lines).toBe(after.flows.records);
    expect(await portsOf(workspace, `s3://incremental/${rewritten}`)).toEqual(ports(7000, 5));
    expect(await portsOf(workspace, `s3://incremental/${keyAt(20)}`)).toEqual(ports(1020, 3));
    expect(after.files).toHaveLength(SMALL.length);
    const etagOf = (files: typeof after.files) => files.find((f) => String(f.path).endsWith(rewritten))?.etag;
    expect(etagOf(after.files)).not.toBe(etagOf(before.files));

    await s3.reset();
    await ingestInto(workspace, 's3://incremental/AWSLogs/');
    expect(await gotKeys()).toEqual([]);
  });

  it('downloads an object stored without an ETag (an older workspace) once, to record it, adding no rows', async () => {
    const before = await contents(workspace);
    const instance = await DuckDBInstance.create(workspace);
    const connection = await instance.connect();
    await connection.run(`UPDATE ingested_files SET etag = NULL WHERE path LIKE '%${keyAt(30)}'`);
    connection.closeSync();
    instance.closeSync();
    await s3.reset();
    const run = await ingestInto(workspace, 's3://incremental/AWSLogs/');
    expect(await gotKeys()).toEqual([keyAt(30)]);
    expect(run.files).toBe(0);
    expect(await contents(workspace)).toEqual(
      expect.objectContaining({ flows: before.flows, files: before.files }),
    );
    await s3.reset();
    await ingestInto(workspace, 's3://incremental/AWSLogs/');
    expect(await gotKeys()).toEqual([]);
  });
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The built CLI as its own process (node, not npx, so that the signal reaches it). */
function flowhawk(args: readonly string[], onStderr: (text: string, child: ChildProcess) => void = () => {}) {
  const child = spawn(process.execPath, ['bin/flowhawk.js', ...args], {
    env: { ...childEnv(s3.url), FLOWHAWK_BATCH_BYTES: String(64 << 10) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
    onStderr(stderr, child);
  });
  child.stdout?.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise<Ended>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('an S3 ingest killed mid-way', () => {
  it('resumes without duplicates or gaps, downloading only what it had not stored', async () => {
    const clean = join(dir, 'clean.duckdb');
    const cleanRun = await flowhawk(['ingest', 's3://killed/AWSLogs/', '--workspace', clean, '-q']);
    expect(cleanRun.code, cleanRun.stderr).toBe(0);
    const expected = await contents(clean);
    expect(expected.flows.records).toBe(LARGE.length * LARGE_RECORDS);

    // a slow link: each GetObject waits, so that the kill falls between the first object stored and the last
    await s3.policy({ delayGetMs: 300 });
    const workspace = join(dir, 'killed.duckdb');
    try {
      const killed = await flowhawk(
        ['ingest', 's3://killed/AWSLogs/', '--workspace', workspace, '--verbose', '-q'],
        (stderr, child) => {
          if (count(stderr, /flowhawk: stored /g) >= 2) child.kill('SIGKILL');
        },
      );
      expect(killed.signal).toBe('SIGKILL');
    } finally {
      await s3.policy({});
    }
    const left = await contents(workspace);
    const complete = left.files.filter((f) => f.complete === true).length;
    expect(complete).toBeGreaterThanOrEqual(2);
    expect(complete).toBeLessThan(LARGE.length);

    await s3.reset();
    const resumed = await flowhawk([
      'ingest',
      's3://killed/AWSLogs/',
      '--workspace',
      workspace,
      '-q',
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const got = await gotKeys();
    // what the killed run had stored completely is not downloaded again; the rest is, once each
    expect(new Set(got).size).toBe(got.length);
    expect(got.length).toBe(LARGE.length - complete);
    const after = await contents(workspace);
    expect(after.flows).toEqual(expected.flows);
    expect(after.files.map((f) => [f.path, f.etag, f.size])).toEqual(
      expected.files.map((f) => [f.path, f.etag, f.size]),
    );
  }, 120_000);
});
