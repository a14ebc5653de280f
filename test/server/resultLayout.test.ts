import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/server/apiTypes.js';
import type { JobResultHead } from '../../src/server/jobResult.js';
import { readJobResult } from '../../src/server/resultFiles.js';
import { portScanLog, quietLog, SCANNER, settled, testServer, upload } from '../helpers/server.js';

/**
 * What a job's directory holds after a run (docs/web.md, "Jobs"), and a directory an older flowhawk
 * left, with the whole result in result.json: its reports still download, and a re-run replaces it.
 */
type Server = Awaited<ReturnType<typeof testServer>>;

let server: Server;
let job: Job;
const dir = () => join(server.workspace, 'jobs', job.id);
const download = async (format: string) => {
  const response = await fetch(`${server.url}/api/jobs/${job.id}/report?format=${format}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.text();
};

beforeAll(async () => {
  server = await testServer({ log: () => undefined });
  const response = await upload(server.url, [
    { name: 'scan.log.gz', content: portScanLog() },
    { name: 'quiet.log.gz', content: quietLog() },
  ]);
  job = await settled(server.url, ((await response.json()) as Job).id);
  expect(job.status).toBe('done');
});
afterAll(async () => server?.close());

describe("flowhawk serve: a job's result on disk", () => {
  it('is report.json, findings.ndjson a line per finding, and overview.json; nothing of a run left over', () => {
    const names = readdirSync(dir()).filter((name) => !name.startsWith('flows.duckdb'));
    expect(names.sort()).toEqual(['files', 'findings.ndjson', 'overview.json', 'report.json']);
    const head = JSON.parse(readFileSync(join(dir(), 'report.json'), 'utf8')) as JobResultHead;
    const lines = readFileSync(join(dir(), 'findings.ndjson'), 'utf8').trimEnd().split('\n');
    expect(head.findingCount).toBe(lines.length);
    expect(head.findingCount).toBeGreaterThan(0);
    expect(head.report.analysis).not.toHaveProperty('findings');
  });

  it('of an older flowhawk (result.json, no report.json) still downloads; a re-run replaces it', async () => {
    const before = await download('json');
    // what the previous version wrote: the whole JobResult in one file
    writeFileSync(join(dir(), 'result.json'), JSON.stringify(await readJobResult(dir())));
    rmSync(join(dir(), 'report.json'));
    expect(await download('json')).toBe(before);
    expect(await download('csv')).toContain(SCANNER);

    const rerun = await fetch(`${server.url}/api/jobs/${job.id}/rerun`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowlist: [] }),
    });
    expect(rerun.status).toBe(202);
    expect(await settled(server.url, job.id)).toMatchObject({ status: 'done', runs: 2 });
    expect(existsSync(join(dir(), 'result.json'))).toBe(false);
    expect(existsSync(join(dir(), 'report.json'))).toBe(true);
    const after = JSON.parse(await download('json')) as { findings: { actor: string }[] };
    expect(after.findings.map((f) => f.actor)).toEqual(
      (JSON.parse(before) as { findings: { actor: string }[] }).findings.map((f) => f.actor),
    );
  });

  it('is removed with the job', async () => {
    expect((await fetch(`${server.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(dir())).toBe(false);
  });
});
