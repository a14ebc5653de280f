import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/finding.js';
import { scan } from '../../src/scan.js';
import type { FindingsPage, Job, ServerInfo } from '../../src/server/apiTypes.js';
import { startS3, type TestS3, useTestS3Env } from '../helpers/s3Server.js';
import { getJson, settled, testServer } from '../helpers/server.js';

/** `serve` jobs that read from a real S3-compatible server on 127.0.0.1, through the real SDK. */

type Server = Awaited<ReturnType<typeof testServer>>;

let s3: TestS3;
let restoreEnv: () => void;
let server: Server;

beforeAll(async () => {
  s3 = await startS3();
  restoreEnv = useTestS3Env(s3.url);
  await s3.createBucket('examples-bucket');
  await s3.upload('examples-bucket', 'examples');
  await s3.createBucket('other-bucket');
  server = await testServer({ s3Sources: ['s3://examples-bucket/AWSLogs/'] });
}, 60_000);

afterAll(async () => {
  await server?.close();
  restoreEnv?.();
  await s3?.close();
});

function postS3Job(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/jobs/s3`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function findingsOf(id: string): Promise<Finding[]> {
  return (await getJson<FindingsPage>(server.url, `/api/jobs/${id}/findings?limit=1000`)).findings;
}

/** What a finding says (key order aside), its evidence's file names made comparable between the bucket and the disk. */
const said = (findings: readonly Finding[], from?: string): unknown[] =>
  findings
    .map((f) => {
      const text = JSON.stringify({ ...f, id: undefined });
      return from ? text.replaceAll(from, 'examples/') : text;
    })
    .map((text) => JSON.parse(text) as Finding)
    .sort((a, b) =>
      `${a.detector} ${a.actor} ${a.target}`.localeCompare(`${b.detector} ${b.actor} ${b.target}`),
    );

describe('serve: a job reading from S3', () => {
  it('finds what a scan of the same tree on disk finds, naming the objects by s3:// key', async () => {
    const response = await postS3Job(server.url, { url: 's3://examples-bucket/AWSLogs/', name: 'bucket' });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Job;
    expect(created.name).toBe('bucket');
    expect(created.source).toEqual({ url: 's3://examples-bucket/AWSLogs/' });
    expect(created.files).toEqual([]);
    const job = await settled(server.url, created.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    const local = await scan({ sources: ['examples/AWSLogs/'] });
    expect(local.ingest?.files).toBeGreaterThan(1);
    expect(job.progress.filesTotal).toBe(local.ingest?.files);
    expect(job.progress.records).toBe(local.ingest?.records);
    const remote = await findingsOf(job.id);
    expect(remote.length).toBeGreaterThan(3);
    expect(JSON.stringify(remote)).toContain('s3://examples-bucket/AWSLogs/');
    expect(said(remote, 's3://examples-bucket/')).toEqual(said(local.analysis.findings));

    // a re-run analyses the job's own flows again: S3 is not read a second time
    await s3.reset();
    const rerun = await fetch(`${server.url}/api/jobs/${job.id}/rerun`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        allowlist: [{ reason: 'our pen test', cidr: ['203.0.113.77'], role: 'actor' }],
      }),
    });
    expect(rerun.status).toBe(202);
    const again = await settled(server.url, job.id);
    expect(again.runs).toBe(2);
    expect(again.suppressedCount).toBeGreaterThan(0);
    expect(again.progress).toMatchObject({ filesDone: local.ingest?.files, records: local.ingest?.records });
    expect(await s3.requests()).toEqual([]);
  }, 120_000);

  it('fixes a duration window when the job is made, and reads only the objects written in it', async () => {
    await s3.reset();
    const response = await postS3Job(server.url, { url: 's3://examples-bucket/AWSLogs/', since: '1h' });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Job;
    const since = Date.parse(created.source?.since ?? '');
    expect(Math.abs(since - (Date.now() - 3600_000))).toBeLessThan(60_000);
    const job = await settled(server.url, created.id);
    expect(job.status).toBe('done');
    // the examples were written years ago: nothing of them lies in the last hour
    expect(await s3.gets()).toEqual([]);
    expect((await s3.lists()).length).toBeGreaterThan(0);
    expect(job.progress.records).toBe(0);
  }, 120_000);

  it('lists the locations it reads in /api/info', async () => {
    const info = await getJson<ServerInfo>(server.url, '/api/info');
    expect(info.s3Sources).toEqual(['s3://examples-bucket/AWSLogs/']);
  });

  it('refuses a location outside its --s3-source, a bad window and a location that is not one', async () => {
    const outside = await postS3Job(server.url, { url: 's3://other-bucket/AWSLogs/' });
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { error: string }).error).toContain('outside the S3 locations');
    const sibling = await postS3Job(server.url, { url: 's3://examples-bucket/' });
    expect(sibling.status).toBe(403);
    const window = await postS3Job(server.url, { url: 's3://examples-bucket/AWSLogs/', since: 'yesterday' });
    expect(window.status).toBe(400);
    const backwards = await postS3Job(server.url, {
      url: 's3://examples-bucket/AWSLogs/',
      since: '2024-01-02T00:00:00Z',
      until: '2024-01-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
    const notS3 = await postS3Job(server.url, { url: '/etc/passwd' });
    expect(notS3.status).toBe(400);
  });

  it('refuses every S3 job on a server started without --s3-source', async () => {
    const plain = await testServer();
    try {
      const response = await postS3Job(plain.url, { url: 's3://examples-bucket/AWSLogs/' });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { hint: string }).hint).toContain('--s3-source');
    } finally {
      await plain.close();
    }
  });
});
