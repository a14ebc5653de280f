import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/finding.js';
import type { FindingsPage, Job, JobOverview } from '../../src/server/apiTypes.js';
import type { JobResultHead } from '../../src/server/jobResult.js';
import { getJson, portScanLog, quietLog, settled, testServer, upload } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof testServer>>;

/** Bytes no reader takes for a flow log (seeded, so the same every run): a file with no record. */
function noise(length = 4000, seed = 7): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  // not gzip's magic, so it is read as text, not as a broken gzip stream
  if (out[0] === 0x1f) out[0] = 0x20;
  return out;
}

describe('flowhawk serve: a damaged file among good ones', () => {
  let server: Server;
  beforeAll(async () => {
    server = await testServer({ log: () => undefined });
  });
  afterAll(async () => server?.close());

  it('analyses the good files and names the damaged one in the ingest summary', async () => {
    const response = await upload(server.url, [
      { name: 'scan.log.gz', content: portScanLog() },
      { name: 'damaged.log', content: noise() },
      { name: 'quiet.log.gz', content: quietLog() },
    ]);
    const job = await settled(server.url, ((await response.json()) as Job).id);
    expect(job).toMatchObject({ status: 'done', error: null });
    const page = await getJson<FindingsPage>(server.url, `/api/jobs/${job.id}/findings?detector=portscan`);
    expect(page.total).toBe(1);
    const { ingest } = await getJson<JobOverview>(server.url, `/api/jobs/${job.id}/overview`);
    const named = ingest?.warnings.filter((w) => w.includes('"damaged.log"')) ?? [];
    expect(named).toHaveLength(1);
    expect(named[0]).toContain('none of its records is analysed');
    expect(ingest?.warnings.some((w) => w.includes('scan.log.gz') || w.includes('quiet.log.gz'))).toBe(false);
    // the reports carry the same summary
    const report = await getJson<{ ingest: { warnings: string[] } }>(
      server.url,
      `/api/jobs/${job.id}/report?format=json`,
    );
    expect(report.ingest.warnings).toEqual(ingest?.warnings);
  });

  it('fails a job none of whose files holds a record, naming each', async () => {
    const response = await upload(server.url, [
      { name: 'noise-1.log', content: noise(4000, 1) },
      { name: 'noise-2.log', content: noise(4000, 2) },
    ]);
    const job = await settled(server.url, ((await response.json()) as Job).id);
    expect(job.status).toBe('failed');
    expect(job.error).toContain('no file of this job holds a readable flow record');
    expect(job.error).toContain('"noise-1.log"');
    expect(job.error).toContain('"noise-2.log"');
  });
});

describe('flowhawk serve: a report that cannot be rendered', () => {
  const said: string[] = [];
  let server: Server;
  let job: Job;
  beforeAll(async () => {
    server = await testServer({ log: (line) => said.push(line) });
    const response = await upload(server.url, [{ name: 'scan.log.gz', content: portScanLog() }]);
    job = await settled(server.url, ((await response.json()) as Job).id);
    expect(job.status).toBe('done');
  });
  afterAll(async () => server?.close());

  const jobFile = (name: string) => join(server.workspace, 'jobs', job.id, name);

  it('answers 500 with the reason when the renderer fails before its first byte', async () => {
    const good = readFileSync(jobFile('report.json'));
    // cut short as a full disk or a crash mid-write would leave it
    writeFileSync(jobFile('report.json'), good.subarray(0, 100));
    try {
      const response = await fetch(`${server.url}/api/jobs/${job.id}/report?format=html`);
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('application/json');
      const body = (await response.json()) as { error: string; hint: string };
      expect(body.error).toMatch(
        /^could not render the html report of job [0-9a-f-]+: the job's report\.json: /,
      );
      expect(body.error).toMatch(/JSON/);
      expect(body.hint).toContain('re-run the job');
      expect(said.some((line) => line.startsWith(`could not render the html report of job ${job.id}`))).toBe(
        true,
      );
    } finally {
      writeFileSync(jobFile('report.json'), good);
    }
    expect((await fetch(`${server.url}/api/jobs/${job.id}/report?format=html`)).status).toBe(200);
  });

  it('answers 500 naming the line when findings.ndjson is damaged or cut short', async () => {
    const good = readFileSync(jobFile('findings.ndjson'), 'utf8');
    const kept = good.trimEnd().split('\n').slice(0, -1);
    const n = kept.length + 1;
    const cases: [string, RegExp][] = [
      // the last line cut in the middle, as a full disk leaves it
      [
        [...kept, '{"seq": 1, "fin'].join('\n'),
        new RegExp(`: the job's findings\\.ndjson, line ${n}: .*JSON`),
      ],
      // the last line missing
      [
        kept.map((line) => `${line}\n`).join(''),
        new RegExp(
          `: the job's findings\\.ndjson: holds ${n - 1} findings where report\\.json says ${n} \\(cut short`,
        ),
      ],
    ];
    try {
      for (const [damaged, reason] of cases) {
        writeFileSync(jobFile('findings.ndjson'), damaged);
        const response = await fetch(`${server.url}/api/jobs/${job.id}/report?format=json`);
        expect(response.status).toBe(500);
        expect(((await response.json()) as { error: string }).error).toMatch(reason);
      }
    } finally {
      writeFileSync(jobFile('findings.ndjson'), good);
    }
    expect((await fetch(`${server.url}/api/jobs/${job.id}/report?format=json`)).status).toBe(200);
  });

  it('cuts the download off when the renderer dies after sending bytes, and logs it', async () => {
    // a report of tens of megabytes, so the renderer is still writing when it is killed
    const good = {
      head: readFileSync(jobFile('report.json')),
      findings: readFileSync(jobFile('findings.ndjson')),
    };
    const head = JSON.parse(good.head.toString()) as JobResultHead;
    const [line] = good.findings.toString().split('\n') as [string];
    const { finding } = JSON.parse(line) as { finding: Finding };
    const many = Array.from({ length: 20_000 }, (_, seq) =>
      JSON.stringify({ seq, finding: { ...finding, id: `f${seq}` } }),
    );
    writeFileSync(jobFile('findings.ndjson'), `${many.join('\n')}\n`);
    writeFileSync(jobFile('report.json'), JSON.stringify({ ...head, findingCount: many.length }));
    try {
      const response = await fetch(`${server.url}/api/jobs/${job.id}/report?format=json`);
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      expect((await reader.read()).done).toBe(false);
      const renderers = childrenRunning('reportWorker');
      expect(renderers).toHaveLength(1);
      process.kill(renderers[0] as number, 'SIGKILL');
      let received = 0;
      const outcome = await (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return 'complete';
          received += value.length;
        }
      })().catch((error: Error) => error);
      expect(outcome, `a complete-looking download of ${received} bytes`).toBeInstanceOf(Error);
      for (let i = 0; i < 50 && !said.some((l) => l.includes('cut off')); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(said.find((l) => l.includes('cut off'))).toMatch(
        /^the json report of job [0-9a-f-]+ failed after its first bytes were sent, so the download was cut off: the renderer was killed \(SIGKILL\)$/,
      );
    } finally {
      writeFileSync(jobFile('report.json'), good.head);
      writeFileSync(jobFile('findings.ndjson'), good.findings);
    }
  });
});

describe('flowhawk serve: an upload cut short by a killed server', () => {
  it('is removed at the next start, and the jobs are kept', async () => {
    const first = await testServer();
    const created = (await (
      await upload(first.url, [{ name: 'scan.log.gz', content: portScanLog() }])
    ).json()) as Job;
    await settled(first.url, created.id);
    await first.close();
    // what a server killed mid-upload leaves: the files received so far, and no job
    const stray = randomUUID();
    mkdirSync(join(first.workspace, 'jobs', stray, 'files'), { recursive: true });
    writeFileSync(join(first.workspace, 'jobs', stray, 'files', '00000'), 'half of a file');
    const notOurs = join(first.workspace, 'jobs', 'notes');
    mkdirSync(notOurs);
    const said: string[] = [];
    const second = await testServer({ workspace: first.workspace, log: (line) => said.push(line) });
    try {
      expect(existsSync(join(first.workspace, 'jobs', stray))).toBe(false);
      expect(existsSync(notOurs)).toBe(true);
      expect(readdirSync(join(first.workspace, 'jobs', created.id, 'files'))).toEqual(['00000']);
      expect(said).toEqual([
        `removed 1 unfinished upload(s) a previous server left when it stopped: jobs/${stray}`,
      ]);
      const job = await getJson<Job>(second.url, `/api/jobs/${created.id}`);
      expect(job.status).toBe('done');
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

/** This process's children whose command line names `module` (the server runs in the test process). */
function childrenRunning(module: string): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(module)) pids.push(pid);
      } catch {
        // exited meanwhile
      }
    }
  }
  return pids;
}
