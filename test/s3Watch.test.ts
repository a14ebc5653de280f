import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryKey, portScanObject } from './helpers/s3Fixtures.js';
import { childEnv, startS3, type TestS3 } from './helpers/s3Server.js';

/**
 * `flowhawk watch` against s3rver, as its own process (node, not npx, so that signals reach it):
 * objects added while it runs are read at the next poll and only their findings are printed; SIGTERM
 * ends it cleanly, and a restart prints nothing it printed before. Each scan is one scanner trying
 * forty ports of one host: one portscan finding, whose actor says which object it came from.
 */

const ACCOUNT = '111122223333';
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-watch-'));
let s3: TestS3;

/** An object AWS would write now (the watch lists objects by the time in their names). */
async function putScan(bucket: string, scanner: string, target: string): Promise<void> {
  const at = new Date();
  // a distinct key per object even within one minute: the flow log id differs
  const key = deliveryKey('classic', ACCOUNT, 'eu-west-1', at, `fl-${scanner.replaceAll('.', '')}`);
  await s3.put(bucket, key, portScanObject(ACCOUNT, at, scanner, target));
}

beforeAll(async () => {
  s3 = await startS3();
}, 30_000);

afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Watcher {
  child: ChildProcess;
  /** the findings printed so far, parsed */
  findings: () => { id: string; actor: string; detector: string }[];
  /** the status lines of completed polls so far */
  polls: () => string[];
  stderr: () => string;
  until(what: string, holds: () => boolean, ms?: number): Promise<void>;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWatch(args: readonly string[]): Watcher {
  const child = spawn(process.execPath, ['bin/flowhawk.js', 'watch', ...args], {
    env: childEnv(s3.url),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const changed: (() => void)[] = [];
  const note = () => {
    for (const f of changed.splice(0)) f();
  };
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    note();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    note();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      note();
      resolve({ code, signal });
    });
  });
  const findings = () =>
    stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  const polls = () => stderr.split('\n').filter((l) => /^flowhawk: watch \S+Z: read /.test(l));
  const until = async (what: string, holds: () => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!holds()) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`waited for ${what}; stderr:\n${stderr}\nstdout:\n${stdout}`);
      await new Promise<void>((resolve) => {
        changed.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { child, findings, polls, stderr: () => stderr, until, ended };
}

describe('flowhawk watch s3://…', () => {
  const workspace = join(dir, 'watch.duckdb');
  const args = ['s3://watched/AWSLogs/', '--workspace', workspace, '--interval', '1s'];

  it('prints a finding of an object added while it runs, and only that one; SIGTERM ends it with 0', async () => {
    await s3.createBucket('watched');
    await putScan('watched', '203.0.113.7', '10.0.0.5');
    const watcher = startWatch(args);
    await watcher.until('the first finding', () => watcher.findings().length >= 1);
    const pollsBefore = watcher.polls().length;
    // two more polls with nothing new: nothing printed again
    await watcher.until('two quiet polls', () => watcher.polls().length >= pollsBefore + 2);
    expect(watcher.findings().map((f) => [f.detector, f.actor])).toEqual([['portscan', '203.0.113.7']]);
    expect(watcher.polls().at(-1)).toMatch(
      /read 0 new object\(s\), 0 records; 1 already stored; nothing new/,
    );

    await putScan('watched', '198.51.100.9', '10.0.0.6');
    await watcher.until('the second finding', () => watcher.findings().length >= 2);
    const pollsAfter = watcher.polls().length;
    await watcher.until('two more polls', () => watcher.polls().length >= pollsAfter + 2);
    expect(watcher.findings().map((f) => [f.detector, f.actor])).toEqual([
      ['portscan', '203.0.113.7'],
      ['portscan', '198.51.100.9'],
    ]);
    expect(
      watcher
        .polls()
        .some((l) =>
          /read 1 new object\(s\), 40 records; 1 already stored; analysed from .*: 1 new finding\(s\), 0 changed/.test(
            l,
          ),
        ),
    ).toBe(true);

    watcher.child.kill('SIGTERM');
    const end = await watcher.ended;
    expect(end).toEqual({ code: 0, signal: null });
    expect(watcher.stderr()).toMatch(/watch stopped by SIGTERM.*carries on from there/);
  }, 90_000);

  it('started again, prints only what came while it was stopped, and nothing it printed before', async () => {
    await putScan('watched', '192.0.2.44', '10.0.0.7');
    const watcher = startWatch([...args, '--once']);
    const end = await watcher.ended;
    expect(end.code, watcher.stderr()).toBe(0);
    expect(watcher.findings().map((f) => [f.detector, f.actor])).toEqual([['portscan', '192.0.2.44']]);

    const again = startWatch([...args, '--once']);
    expect((await again.ended).code, again.stderr()).toBe(0);
    expect(again.findings()).toEqual([]);
    expect(again.polls()).toHaveLength(1);
  }, 60_000);
});

/** An HTTP receiver on 127.0.0.1 that answers `status` and keeps what it was sent. */
async function receiver(status: number): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      bodies.push({ method: request.method, type: request.headers['content-type'], body: JSON.parse(text) });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

describe('flowhawk watch --webhook', () => {
  it('POSTs the new findings as JSON, the same ones it writes to --output', async () => {
    await s3.createBucket('hooked');
    await putScan('hooked', '203.0.113.80', '10.0.0.9');
    const hook = await receiver(204);
    const output = join(dir, 'findings.ndjson');
    try {
      const workspace = join(dir, 'hooked.duckdb');
      const watcher = startWatch([
        's3://hooked/',
        '--workspace',
        workspace,
        '--once',
        '--webhook',
        hook.url,
        '--output',
        output,
      ]);
      expect((await watcher.ended).code, watcher.stderr()).toBe(0);
      expect(watcher.findings()).toEqual([]);
      const written = readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; actor: string });
      expect(written.map((f) => f.actor)).toEqual(['203.0.113.80']);
      expect(hook.bodies).toHaveLength(1);
      const [sent] = hook.bodies as {
        method: string;
        type: string;
        body: { sources: string[]; findings: { id: string; change: string }[] };
      }[];
      expect(sent?.method).toBe('POST');
      expect(sent?.type).toBe('application/json');
      expect(sent?.body.sources).toEqual(['s3://hooked/']);
      expect(sent?.body.findings.map((f) => [f.id, f.change])).toEqual([[written[0]?.id, 'new']]);
    } finally {
      hook.server.close();
    }
  }, 60_000);

  it('says so on standard error when the receiver keeps failing, and still writes the findings', async () => {
    await s3.createBucket('refused');
    await putScan('refused', '203.0.113.81', '10.0.0.9');
    const hook = await receiver(500);
    try {
      const watcher = startWatch([
        's3://refused/',
        '--workspace',
        join(dir, 'refused.duckdb'),
        '--once',
        '--webhook',
        hook.url,
      ]);
      expect((await watcher.ended).code, watcher.stderr()).toBe(0);
      expect(watcher.findings().map((f) => f.actor)).toEqual(['203.0.113.81']);
      expect(hook.bodies).toHaveLength(3);
      expect(watcher.stderr()).toContain(
        `warning: --webhook ${hook.url}: POST failed (HTTP 500, after 3 attempts)`,
      );
    } finally {
      hook.server.close();
    }
  }, 60_000);
});
