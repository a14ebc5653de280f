import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/detectors/index.js';
import type { Finding } from '../../src/finding.js';
import type { FindingsPage, Job, JobOverview, JobProgress } from '../../src/server/apiTypes.js';
import {
  getJson,
  portScanLog,
  quietLog,
  readEvents,
  SCANNER,
  settled,
  testServer,
  upload,
  WEB,
  waitForStatus,
} from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof testServer>>;

const SCAN_NAME = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/11/14/scan.log.gz';

describe('flowhawk serve: jobs through the API', () => {
  let server: Server;
  let job: Job;
  let events: Awaited<ReturnType<typeof readEvents>>;

  beforeAll(async () => {
    server = await testServer();
    const response = await upload(server.url, [
      { name: SCAN_NAME, content: portScanLog() },
      { name: 'quiet.log.gz', content: quietLog() },
    ]);
    expect(response.status).toBe(201);
    job = (await response.json()) as Job;
    events = await readEvents(server.url, job.id);
  });
  afterAll(async () => server?.close());

  it('makes one job of a multipart upload of several files, named after them', () => {
    expect(job.files.map((f) => f.name)).toEqual([SCAN_NAME, 'quiet.log.gz']);
    expect(job.files[0]?.size).toBe(portScanLog().length);
    expect(job.name).toBe(`${SCAN_NAME} and 1 more`);
    expect(['queued', 'running']).toContain(job.status);
  });

  it('streams the job, its stages and the records read, and ends the stream when the job is done', () => {
    expect(events[0]?.event).toBe('job');
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as JobProgress);
    const stages = new Set(progress.map((p) => p.stage));
    expect(stages).toContain('ingest');
    expect(stages).toContain('analyse');
    const ingest = progress.filter((p) => p.stage === 'ingest');
    expect(ingest.at(-1)).toMatchObject({ filesDone: 2, filesTotal: 2 });
    expect(ingest.at(-1)?.records).toBeGreaterThan(250);
    const last = events.at(-1);
    expect(last?.event).toBe('job');
    expect((last?.data as Job | undefined)?.status).toBe('done');
  });

  it('returns the findings, with evidence named after the uploaded files', async () => {
    const done = await settled(server.url, job.id);
    expect(done.findingCounts.low + done.findingCounts.medium + done.findingCounts.high).toBeGreaterThan(0);
    const page = await getJson<FindingsPage>(server.url, `/api/jobs/${job.id}/findings?detector=portscan`);
    expect(page.total).toBe(1);
    const [scan] = page.findings;
    expect(scan).toMatchObject({ detector: 'portscan', actor: SCANNER, target: WEB });
    expect(scan?.evidence[0]).toMatchObject({
      file: SCAN_NAME,
      accountId: '123456789012',
      region: 'us-east-1',
    });
    // the API's finding is the JSON report's, field for field (no schema drops anything)
    const report = await getJson<{ findings: Finding[] }>(
      server.url,
      `/api/jobs/${job.id}/report?format=json`,
    );
    const same = report.findings.find((f) => f.id === scan?.id);
    expect(scan).toEqual(same);
    const one = await getJson<Finding>(server.url, `/api/jobs/${job.id}/findings/${scan?.id}`);
    expect(one).toEqual(same);
  });

  it('filters findings by severity, actor and text', async () => {
    const all = await getJson<FindingsPage>(server.url, `/api/jobs/${job.id}/findings`);
    const bySeverity = await getJson<FindingsPage>(
      server.url,
      `/api/jobs/${job.id}/findings?severity=critical`,
    );
    expect(bySeverity.findings.every((f) => f.severity === 'critical')).toBe(true);
    const byActor = await getJson<FindingsPage>(server.url, `/api/jobs/${job.id}/findings?actor=${SCANNER}`);
    expect(byActor.total).toBe(all.findings.filter((f) => f.actor === SCANNER).length);
    expect(byActor.total).toBeGreaterThan(0);
    const byText = await getJson<FindingsPage>(
      server.url,
      `/api/jobs/${job.id}/findings?q=DISTINCT%20tcp%20PORTS`,
    );
    expect(byText.findings.map((f) => f.detector)).toContain('portscan');
    const none = await getJson<FindingsPage>(server.url, `/api/jobs/${job.id}/findings?q=100%25_no_such`);
    expect(none.total).toBe(0);
    const bad = await fetch(`${server.url}/api/jobs/${job.id}/findings?severity=urgent`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('urgent');
  });

  it('gives the overview: traffic, leaders and what was read', async () => {
    const overview = await getJson<JobOverview>(server.url, `/api/jobs/${job.id}/overview`);
    expect(overview.traffic?.records).toBeGreaterThan(250);
    expect(overview.traffic?.buckets.length).toBeGreaterThan(0);
    expect(overview.ingest?.files).toBe(2);
    expect(overview.detectors.map((d) => d.id)).toContain('portscan');
    expect(overview.leaders?.talkers.map((t) => t.addr)).toContain(WEB);
  });

  it('serves the report in every CLI format as a download', async () => {
    const info = await getJson<{ formats: string[] }>(server.url, '/api/info');
    expect(info.formats).toEqual(expect.arrayContaining(['html', 'json', 'ocsf', 'asff', 'csv']));
    for (const format of info.formats) {
      const response = await fetch(`${server.url}/api/jobs/${job.id}/report?format=${format}`);
      expect(response.status, format).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(
        /^attachment; filename="flowhawk-[0-9a-f]{8}\./,
      );
      const text = await response.text();
      if (format === 'html') expect(text).toContain('flowhawk report');
      if (format === 'ocsf') expect((JSON.parse(text) as { class_uid: number }[])[0]?.class_uid).toBe(2004);
      if (format === 'csv') expect(text).toContain(SCANNER);
    }
    expect((await fetch(`${server.url}/api/jobs/${job.id}/report?format=pdf`)).status).toBe(400);
  });

  it('re-runs a job with an allowlist, without reading the files again, and refuses a bad one', async () => {
    const bad = await fetch(`${server.url}/api/jobs/${job.id}/rerun`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowlist: [{ cidr: [SCANNER] }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('reason');
    const response = await fetch(`${server.url}/api/jobs/${job.id}/rerun`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowlist: [{ reason: 'our pen test', cidr: [SCANNER], role: 'actor' }] }),
    });
    expect(response.status).toBe(202);
    const rerun = await settled(server.url, job.id);
    expect(rerun).toMatchObject({ status: 'done', runs: 2, allowlist: [{ reason: 'our pen test' }] });
    // no file read this time, yet the progress still says what was analysed
    expect(rerun.progress).toMatchObject({ stage: 'done', filesDone: 2, filesTotal: 2 });
    expect(rerun.progress.records).toBeGreaterThan(250);
    expect(rerun.progress.bytesDone).toBe(rerun.progress.bytesTotal);
    const shown = await getJson<FindingsPage>(server.url, `/api/jobs/${job.id}/findings?actor=${SCANNER}`);
    expect(shown.total).toBe(0);
    const hidden = await getJson<FindingsPage>(
      server.url,
      `/api/jobs/${job.id}/findings?actor=${SCANNER}&suppressed=true`,
    );
    expect(hidden.total).toBeGreaterThan(0);
    expect(hidden.findings[0]?.suppressed?.reason).toBe('our pen test');
    expect(rerun.suppressedCount).toBe(hidden.total);
    // the ingest summary of the first run is kept: the flows were not read again
    const overview = await getJson<JobOverview>(server.url, `/api/jobs/${job.id}/overview`);
    expect(overview.traffic?.records).toBeGreaterThan(250);
    expect(overview.ingest?.files).toBe(2);
    const report = await getJson<{ ingest: { files: number } | null }>(
      server.url,
      `/api/jobs/${job.id}/report?format=json`,
    );
    expect(report.ingest?.files).toBe(2);
  });

  it('deletes a job with its files', async () => {
    const response = await upload(server.url, [{ name: 'q.log.gz', content: quietLog() }]);
    const other = (await response.json()) as Job;
    await settled(server.url, other.id);
    const dir = join(server.workspace, 'jobs', other.id);
    expect(existsSync(dir)).toBe(true);
    expect((await fetch(`${server.url}/api/jobs/${other.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${server.url}/api/jobs/${other.id}`)).status).toBe(404);
    expect(existsSync(dir)).toBe(false);
    const list = await getJson<{ jobs: Job[] }>(server.url, '/api/jobs');
    expect(list.jobs.map((j) => j.id)).toEqual([job.id]);
  });

  it('takes an upload of more files than multipart parsers allow by default (a day of S3 deliveries)', async () => {
    const files = Array.from({ length: 1100 }, (_, i) => ({ name: `day/${i}.log`, content: `x${i}\n` }));
    const response = await upload(server.url, files);
    expect(response.status).toBe(201);
    const many = (await response.json()) as Job;
    expect(many.files).toHaveLength(1100);
    expect(many.files[1099]?.name).toBe('day/1099.log');
    expect((await fetch(`${server.url}/api/jobs/${many.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it("serves the detector catalogue with each card's port chart, which the page's finding view reads", async () => {
    const { detectors } = await getJson<{ detectors: { id: string; portChart?: string }[] }>(
      server.url,
      '/api/detectors',
    );
    expect(detectors.map((d) => d.id)).toEqual(DETECTORS.map((d) => d.id));
    const charts = (list: readonly { id: string; portChart?: string }[]) =>
      Object.fromEntries(list.filter((d) => d.portChart !== undefined).map((d) => [d.id, d.portChart]));
    expect(charts(detectors)).toEqual(charts(DETECTORS));
    expect(Object.keys(charts(detectors)).length).toBeGreaterThan(0);
  });

  it('answers unknown and malformed job ids with 404 and 400', async () => {
    expect((await fetch(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/jobs/..%2F..%2Fetc`)).status).toBe(400);
  });
});

describe('flowhawk serve: every input format in one job', () => {
  it('reads VPC text, Parquet, Firehose JSON and Zeek uploads, told apart by their bytes', async () => {
    const fixtures = new URL('../fixtures/', import.meta.url);
    const text = readFileSync(new URL('aws-doc-examples/default-v2_accepted-rejected.log', fixtures));
    const dir = mkdtempSync(join(tmpdir(), 'fh-formats-'));
    const parquet = join(dir, 'flows.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    // AWS's Parquet delivery: the field names with underscores, typed columns
    await connection.run(
      `COPY (SELECT * FROM read_csv('${fileURLToPath(new URL('aws-doc-examples/default-v2_accepted-rejected.log', fixtures))}',
         delim = ' ', header = false, columns = {'version': 'INTEGER', 'account_id': 'VARCHAR',
         'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER',
         'dstport': 'INTEGER', 'protocol': 'INTEGER', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT',
         'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    db.closeSync();
    const firehose = text
      .toString()
      .trim()
      .split('\n')
      .map((message) => JSON.stringify({ message }))
      .join('\n');
    const server = await testServer();
    try {
      const response = await upload(server.url, [
        { name: 'a.log', content: text },
        { name: 'b.parquet', content: readFileSync(parquet) },
        { name: 'c.json', content: firehose },
        { name: 'conn.log', content: readFileSync(new URL('zeek/conn-json.log', fixtures)) },
      ]);
      const job = await settled(server.url, ((await response.json()) as Job).id);
      expect(job.error).toBeNull();
      const overview = await getJson<JobOverview>(server.url, `/api/jobs/${job.id}/overview`);
      expect(overview.ingest?.perFile.map((f) => [f.path, f.format])).toEqual([
        ['a.log', 'vpc-text'],
        ['b.parquet', 'parquet'],
        ['c.json', 'json'],
        ['conn.log', 'zeek-conn'],
      ]);
      for (const file of overview.ingest?.perFile ?? []) expect(file.records, file.path).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});

describe('flowhawk serve: restarts', () => {
  it('keeps finished jobs and their findings across a restart', async () => {
    const first = await testServer();
    const created = (await (
      await upload(first.url, [{ name: 'scan.log.gz', content: portScanLog() }])
    ).json()) as Job;
    await settled(first.url, created.id);
    const before = await getJson<FindingsPage>(first.url, `/api/jobs/${created.id}/findings`);
    await first.close();
    const second = await testServer({ workspace: first.workspace });
    try {
      const job = await getJson<Job>(second.url, `/api/jobs/${created.id}`);
      expect(job).toMatchObject({ status: 'done', interruptions: 0 });
      const after = await getJson<FindingsPage>(second.url, `/api/jobs/${created.id}/findings`);
      expect(after).toEqual(before);
    } finally {
      await second.close();
    }
  });

  it('runs a job again when the server stopped during it, and counts the interruption', async () => {
    const first = await testServer();
    const created = (await (
      await upload(first.url, [{ name: 'scan.log.gz', content: portScanLog() }])
    ).json()) as Job;
    await waitForStatus(first.url, created.id, 'running');
    await first.close();
    const second = await testServer({ workspace: first.workspace });
    try {
      const job = await settled(second.url, created.id);
      expect(job.status).toBe('done');
      expect(job).toMatchObject({ interruptions: 1, runs: 2 });
      const page = await getJson<FindingsPage>(
        second.url,
        `/api/jobs/${created.id}/findings?detector=portscan`,
      );
      expect(page.total).toBe(1);
    } finally {
      await second.close();
    }
  });
});
