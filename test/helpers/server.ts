import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Job } from '../../src/server/apiTypes.js';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/app.js';
import { FlowBuilder } from './flowBuilder.js';

/** A real server on 127.0.0.1 (any free port) over a fresh workspace, unless one is given. */
export async function testServer(
  options: Partial<ServerOptions> = {},
): Promise<RunningServer & { workspace: string }> {
  const workspace = options.workspace ?? (await mkdtemp(join(tmpdir(), 'flowhawk-serve-')));
  const server = await startServer({ port: 0, ...options, workspace });
  return { ...server, workspace };
}

export interface UploadFile {
  name: string;
  content: Buffer | string;
}

export async function upload(
  base: string,
  files: UploadFile[],
  options: { token?: string; name?: string } = {},
): Promise<Response> {
  const form = new FormData();
  if (options.name) form.append('name', options.name);
  for (const f of files) form.append('files', new Blob([f.content as BlobPart]), f.name);
  return fetch(`${base}/api/jobs`, { method: 'POST', body: form, headers: auth(options.token) });
}

export function auth(token?: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function getJson<T>(base: string, path: string, token?: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { headers: auth(token) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Polls until the job is done or failed. */
export async function settled(base: string, id: string, token?: string, timeoutMs = 120_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJson<Job>(base, `/api/jobs/${id}`, token);
    if (job.status === 'done' || job.status === 'failed') return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitForStatus(base: string, id: string, status: Job['status']): Promise<Job> {
  for (let i = 0; i < 1200; i++) {
    const job = await getJson<Job>(base, `/api/jobs/${id}`);
    if (job.status === status) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} never became ${status}`);
}

export interface ServerEvent {
  event: string;
  data: unknown;
}

/** Reads a job's event stream to its end. */
export async function readEvents(base: string, id: string, token?: string): Promise<ServerEvent[]> {
  const response = await fetch(`${base}/api/jobs/${id}/events`, { headers: auth(token) });
  if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event:'))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine?.slice(7) ?? '', data: JSON.parse(dataLine?.slice(6) ?? 'null') };
    });
}

export const SCANNER = '203.0.113.9';
export const WEB = '10.0.1.10';
const T = 1_700_000_000;

/** A gzip VPC log (S3-style, header first) with one internet scanner probing 200 ports of WEB. */
export function portScanLog(scanner = SCANNER): Buffer {
  const flows = new FlowBuilder().repeat(200, 0.5, T, (i, at) => ({
    client: scanner,
    server: WEB,
    port: i + 1,
    at,
    outcome: 'rejected',
  }));
  return gzipSync(flows.text());
}

/** A gzip VPC log of ordinary web traffic: clients fetching pages from WEB. */
export function quietLog(): Buffer {
  const flows = new FlowBuilder().repeat(30, 7, T, (i, at) => ({
    client: `198.51.100.${(i % 20) + 1}`,
    server: WEB,
    port: 443,
    at,
    outcome: 'open',
  }));
  return gzipSync(flows.text());
}
