import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.js';
import { scan } from '../src/scan.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { deliveryKey, logObject } from './helpers/s3Fixtures.js';
import { childEnv, startS3, type TestS3, useTestS3Env } from './helpers/s3Server.js';

/** s3:// inputs read through the real SDK from a real S3-compatible server: findings, damage, refusals. */

const ACCOUNT = '111122223333';
let s3: TestS3;
let restoreEnv: () => void;

beforeAll(async () => {
  s3 = await startS3();
  restoreEnv = useTestS3Env(s3.url);
  await s3.createBucket('examples-bucket');
  await s3.upload('examples-bucket', 'examples');
  await s3.createBucket('mixed-bucket');
  for (const minute of [5, 15, 25]) {
    const at = new Date(Date.UTC(2026, 10, 15, 10, minute));
    const key = deliveryKey('classic', ACCOUNT, 'eu-west-1', at);
    // the object of :15 is damaged part of the way in
    s3.seed(
      'mixed-bucket',
      key,
      minute === 15 ? damaged() : logObject(ACCOUNT, at, [1000 + minute, 2000 + minute]),
    );
  }
});

/**
 * Two gzip members, as an object appended to can hold: the first a clean log of 200 records, the
 * second 200 more records with 16 bytes of its deflate stream flipped.
 */
function damaged(): Buffer {
  const at = new Date(Date.UTC(2026, 10, 15, 10, 15));
  const first = logObject(
    ACCOUNT,
    at,
    Array.from({ length: 200 }, (_, i) => 3000 + i),
  );
  const lines = Array.from(
    { length: 200 },
    (_, i) =>
      `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.0.5 10.0.1.9 ${4000 + i} 49152 6 10 840 1794737400 1794737640 ACCEPT OK`,
  );
  const second = Buffer.from(gzipSync(`${lines.join('\n')}\n`));
  const middle = Math.floor(second.length / 2);
  for (let i = 0; i < 16; i++) second[middle + i] = (second[middle + i] as number) ^ 0xff;
  return Buffer.concat([first, second]);
}

afterAll(async () => {
  restoreEnv?.();
  await s3?.close();
});

/** The findings as the JSON output would hold them, with the sources' names made comparable. */
function comparable(findings: unknown, from: string, to: string): string {
  return JSON.stringify(findings).replaceAll(from, to);
}

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    encoding: 'utf8',
    env: childEnv(s3.url),
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('scanning from S3', () => {
  it('finds exactly what a scan of the same tree on disk finds, naming the objects by s3:// key', async () => {
    const local = await scan({ sources: ['examples/'] });
    const remote = await scan({ sources: ['s3://examples-bucket/'] });
    expect(local.analysis.findings.length).toBeGreaterThan(3);
    expect(remote.ingest?.files).toBe(local.ingest?.files);
    expect(remote.ingest?.records).toBe(local.ingest?.records);
    expect(comparable(remote.analysis.findings, 's3://examples-bucket/', 'examples/')).toBe(
      comparable(local.analysis.findings, '', ''),
    );
    expect(JSON.stringify(remote.analysis.findings)).toContain('s3://examples-bucket/AWSLogs/');
  });

  it('reports a damaged object by its key and reads the others', async () => {
    const store = await DuckdbStore.open();
    try {
      const summary = await ingest(store, ['s3://mixed-bucket/AWSLogs/']);
      const key = deliveryKey('classic', ACCOUNT, 'eu-west-1', new Date(Date.UTC(2026, 10, 15, 10, 15)));
      expect(summary.files).toBe(3);
      expect(summary.badLines).toBeGreaterThan(0);
      expect(summary.badLineExamples[0]?.file).toBe(`s3://mixed-bucket/${key}`);
      expect(summary.badLineExamples.every((b) => b.file === `s3://mixed-bucket/${key}`)).toBe(true);
      const ports = await store.query<{ p: number }>('SELECT DISTINCT src_port AS p FROM flows ORDER BY p');
      expect(ports.map((r) => Number(r.p))).toEqual(expect.arrayContaining([1005, 2005, 1025, 2025, 3000]));
      const files = await store.query<{ path: string }>('SELECT path FROM ingested_files ORDER BY path');
      expect(
        files.map((f) => f.path).every((p) => p.startsWith('s3://mixed-bucket/AWSLogs/111122223333/')),
      ).toBe(true);
    } finally {
      store.close();
    }
  });
});

describe('what S3 refuses', () => {
  it('names the bucket when it does not exist', () => {
    const run = cli('ingest', 's3://no-such-bucket/AWSLogs/');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('flowhawk: s3://no-such-bucket: no such bucket');
    expect(run.stderr).toContain('check the bucket name');
  });

  it('names the prefix and the action when a listing is denied', async () => {
    await s3.policy({ denyList: '^AWSLogs/' });
    try {
      const run = cli('scan', 's3://mixed-bucket/AWSLogs/');
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('flowhawk: s3://mixed-bucket/AWSLogs/: access denied (s3:ListBucket)');
      expect(run.stderr).toContain('s3:ListBucket on arn:aws:s3:::mixed-bucket');
    } finally {
      await s3.policy({});
    }
  });

  it('skips an object whose GetObject is denied, naming its key and the action, and reads the rest', async () => {
    await s3.policy({ denyGet: '_20261115T1005Z_' });
    try {
      const run = cli('ingest', 's3://mixed-bucket/AWSLogs/', '--json');
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout);
      const key = deliveryKey('classic', ACCOUNT, 'eu-west-1', new Date(Date.UTC(2026, 10, 15, 10, 5)));
      expect(summary.filesUnreadable).toEqual([
        { path: `s3://mixed-bucket/${key}`, reason: 'access denied (s3:GetObject)' },
      ]);
      expect(summary.files).toBe(2);
      expect(run.stderr).toContain(`skipped s3://mixed-bucket/${key}: access denied (s3:GetObject)`);
    } finally {
      await s3.policy({});
    }
  });

  it('retries throttled requests with backoff until S3 lets them through', async () => {
    await s3.reset();
    await s3.policy({ throttle: 3 });
    const store = await DuckdbStore.open();
    try {
      const summary = await ingest(store, ['s3://mixed-bucket/AWSLogs/']);
      expect(summary.files).toBe(3);
      const refused = (await s3.requests()).filter((r) => r.answered === 503);
      expect(refused).toHaveLength(3);
    } finally {
      store.close();
      await s3.policy({});
    }
  });
});
