import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingsPage, Job } from '../../src/server/apiTypes.js';
import { getJson, portScanLog, SCANNER, settled, testServer, upload } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof testServer>>;

/** A raw request, so Host and Origin can be set as a browser on another site would send them. */
function raw(url: string, options: { method?: string; headers?: Record<string, string> }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('flowhawk serve: bad input stays in its job', () => {
  let server: Server;
  beforeAll(async () => {
    server = await testServer({ maxUploadBytes: 1024 * 1024, maxDecompressedBytes: 4 * 1024 * 1024 });
  });
  afterAll(async () => server?.close());

  it('fails a job whose only file is a corrupt gzip, saying which file and why, while another job completes', async () => {
    const corrupt = Buffer.concat([
      gzipSync('version account-id\n').subarray(0, 10),
      Buffer.alloc(4000, 0x5a),
    ]);
    const [bad, good] = await Promise.all([
      upload(server.url, [{ name: 'broken.log.gz', content: corrupt }]),
      upload(server.url, [{ name: 'scan.log.gz', content: portScanLog() }]),
    ]);
    const badJob = await settled(server.url, ((await bad.json()) as Job).id);
    const goodJob = await settled(server.url, ((await good.json()) as Job).id);
    expect(badJob.status).toBe('failed');
    // the job has nothing else to analyse (a corrupt file among good ones: serverRecovery.test.ts)
    expect(badJob.error).toContain('no file of this job holds a readable flow record');
    expect(badJob.error).toContain('"broken.log.gz"');
    expect(badJob.error).toMatch(/gzip/);
    expect(goodJob.status).toBe('done');
    // one job at a time (the default): the second starts once the first has finished
    const [earlier, later] = [badJob, goodJob].sort(
      (a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''),
    );
    expect(Date.parse(later?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(earlier?.finishedAt ?? ''));
    const page = await getJson<FindingsPage>(
      server.url,
      `/api/jobs/${goodJob.id}/findings?detector=portscan`,
    );
    expect(page.findings[0]?.actor).toBe(SCANNER);
    const none = await fetch(`${server.url}/api/jobs/${badJob.id}/findings`);
    expect(none.status).toBe(409);
  });

  it('fails a job whose file is not a flow log at all', async () => {
    const response = await upload(server.url, [
      { name: 'notes.txt', content: 'shopping list\nmilk\neggs\n' },
    ]);
    const job = await settled(server.url, ((await response.json()) as Job).id);
    expect(job.status).toBe('failed');
    expect(job.error).toContain('"notes.txt"');
  });

  it('stops a gzip bomb at the decompressed-size cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x0a));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const response = await upload(server.url, [{ name: 'bomb.log.gz', content: bomb }]);
    expect(response.status).toBe(201);
    const job = await settled(server.url, ((await response.json()) as Job).id);
    expect(job.status).toBe('failed');
    expect(job.error).toContain('bomb.log.gz');
    expect(job.error).toMatch(/4(\.0)? ?MiB/);
  });

  it('refuses a file over the upload cap, and keeps nothing of it', async () => {
    const before = readdirSync(join(server.workspace, 'jobs')).length;
    const response = await upload(server.url, [
      { name: 'small.log', content: 'x\n' },
      { name: 'big.log', content: Buffer.alloc(2 * 1024 * 1024, 0x41) },
    ]);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: string; hint: string };
    expect(body.error).toContain('"big.log"');
    // the cap as the option reads it: 1024 × 1024 bytes is 1 MiB, not "1.0 MB"
    expect(body.error).toContain('upload cap of 1 MiB');
    expect(body.hint).toContain('--max-upload-size');
    expect(readdirSync(join(server.workspace, 'jobs')).length).toBe(before);
  });

  it('keeps nothing of an upload the client abandons halfway', async () => {
    const before = readdirSync(join(server.workspace, 'jobs')).length;
    const boundary = 'flowhawk-test-boundary';
    const { port } = new URL(server.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 900000\r\n\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="half.log"\r\n\r\n`,
        );
        socket.write(Buffer.alloc(300_000, 0x41), () => {
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
      });
    });
    for (let i = 0; i < 50 && readdirSync(join(server.workspace, 'jobs')).length !== before; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(join(server.workspace, 'jobs')).length).toBe(before);
    const list = await getJson<{ jobs: Job[] }>(server.url, '/api/jobs');
    expect(list.jobs.some((j) => j.name === 'half.log')).toBe(false);
  });

  it('never writes under an uploaded name: traversal names stay text', async () => {
    const names = ['../../../escaped.log', '/tmp/absolute.log', '..\\..\\win.log', 'a/../../b.log'];
    const response = await upload(
      server.url,
      names.map((name) => ({ name, content: portScanLog() })),
    );
    expect(response.status).toBe(201);
    const job = (await response.json()) as Job;
    expect(job.files.map((f) => f.name)).toEqual([
      '../../../escaped.log',
      '/tmp/absolute.log',
      '../../win.log',
      'a/../../b.log',
    ]);
    const stored = readdirSync(join(server.workspace, 'jobs', job.id, 'files'));
    expect(stored).toEqual(['00000', '00001', '00002', '00003']);
    for (const dir of [server.workspace, dirname(server.workspace), join(server.workspace, 'jobs')]) {
      for (const name of ['escaped.log', 'win.log', 'b.log']) expect(existsSync(join(dir, name))).toBe(false);
    }
    expect(existsSync('/tmp/absolute.log')).toBe(false);
    await settled(server.url, job.id);
  });

  it('rejects a request whose Host is not loopback (DNS rebinding) and a change from another origin', async () => {
    const port = new URL(server.url).port;
    const rebound = await raw(`${server.url}/api/jobs`, { headers: { Host: `evil.example:${port}` } });
    expect(rebound.status).toBe(421);
    const local = await raw(`${server.url}/api/jobs`, { headers: { Host: `localhost:${port}` } });
    expect(local.status).toBe(200);
    const foreign = await raw(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
      headers: { Origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const own = await raw(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
      headers: { Origin: server.url },
    });
    expect(own.status).toBe(404);
  });
});

describe('flowhawk serve: a job out of memory', () => {
  it('fails with the limit and the option to raise, and the server goes on serving', async () => {
    const server = await testServer({ jobMemoryBytes: 8_000_000 });
    try {
      const response = await upload(server.url, [{ name: 'a.log.gz', content: portScanLog() }]);
      const job = await settled(server.url, ((await response.json()) as Job).id);
      expect(job.status).toBe('failed');
      expect(job.error).toContain('more memory than its limit (8 MB)');
      // DuckDB's own words: its limit is the 8,000,000 bytes given (7.6 MiB), not 8 MiB
      expect(job.error).toMatch(/DuckDB: Out of Memory Error: .*\/7\.6 MiB used/);
      expect(job.error).toContain('--job-memory');
      expect((await fetch(`${server.url}/api/jobs`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
