import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A workspace ingest stopped at any moment (SIGKILL as a crash or an out-of-memory kill does; SIGINT
 * and SIGTERM as a user does), then run again, holds exactly what one clean run stores: every record
 * once, none missing. The CLI runs as its own process (node, not npx: signals must reach it).
 */

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-interrupt-'));
const logs = join(dir, 'logs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES = 4;
const RECORDS_PER_FILE = 12_000;
const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

beforeAll(() => {
  mkdirSync(logs);
  for (let f = 0; f < FILES; f++) {
    const lines = Array.from({ length: RECORDS_PER_FILE }, (_, i) => {
      const n = f * RECORDS_PER_FILE + i;
      return `2 123456789012 eni-0${f} 10.0.${n % 250}.${(n >> 8) % 250} 172.16.0.${f} ${1024 + (i % 60000)} 443 6 3 ${1000 + n} ${1600000000 + i} ${1600000060 + i} ACCEPT OK`;
    });
    // CRLF (a Windows copy) sends a file down the line-by-line path, whose rows reach the store in
    // many small batches: a stop then falls inside files whose first rows are already committed
    const eol = f % 2 === 1 ? '\r\n' : '\n';
    writeFileSync(join(logs, `part-${f}.log.gz`), gzipSync(`${HEADER}${eol}${lines.join(eol)}${eol}`));
  }
});

/** Small batches: a file read line by line spans several commits. */
const ENV = { ...process.env, FLOWHAWK_BATCH_BYTES: String(1 << 20) };

function start(workspace: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/run.ts', 'ingest', logs, '--workspace', workspace, '--verbose'],
    { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function ended(child: ChildProcess, stderr: () => string): Promise<Ended> {
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr: stderr() }));
  });
}

/** Runs the ingest and sends `signal` once `when` holds for its stderr so far. */
async function interrupt(workspace: string, signal: NodeJS.Signals, when: (stderr: string) => boolean) {
  const child = start(workspace);
  let stderr = '';
  let sent = false;
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
    if (!sent && when(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stdout?.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const result = await ended(child, () => stderr);
  clearTimeout(timer);
  return { ...result, sent };
}

async function rerun(workspace: string): Promise<Ended> {
  const child = start(workspace);
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  child.stdout?.resume();
  return ended(child, () => stderr);
}

/** What the workspace holds, read without flowhawk (which would tidy it on opening). */
async function contents(workspace: string) {
  const instance = await DuckDBInstance.create(workspace);
  const connection = await instance.connect();
  const read = async (sql: string) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, bigint>;
  const flows = await read(`SELECT count(*) AS n, count(DISTINCT (f.path, line)) AS lines FROM flows
    JOIN ingested_files f USING (file_id)`);
  const unfinished = await read(`SELECT count(*) AS n FROM flows
    WHERE file_id IN (SELECT file_id FROM ingested_files WHERE complete = false)`);
  connection.closeSync();
  instance.closeSync();
  return { records: Number(flows.n), distinct: Number(flows.lines), unfinished: Number(unfinished.n) };
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

/** Where to stop: before any file is stored, just after the first is (the second is being read), between later files. */
const POINTS = [
  { name: 'before the first commit', when: (stderr: string) => /reading /.test(stderr) },
  { name: 'mid-file', when: (stderr: string) => count(stderr, /stored /g) >= 1 },
  { name: 'between files', when: (stderr: string) => count(stderr, /stored /g) >= 2 },
];

const TOTAL = FILES * RECORDS_PER_FILE;
let leftUnfinished = 0;

describe.each(['SIGKILL', 'SIGINT', 'SIGTERM'] as const)('an ingest stopped by %s', (signal) => {
  it.each(POINTS)('$name, then run again, stores every record exactly once', async ({ name, when }) => {
    const workspace = join(dir, `${signal}-${name.replaceAll(' ', '-')}.duckdb`);
    const stopped = await interrupt(workspace, signal, when);
    expect(stopped.sent).toBe(true);
    if (signal === 'SIGKILL') {
      expect(stopped.signal).toBe('SIGKILL');
      leftUnfinished += (await contents(workspace)).unfinished;
    } else if (stopped.code !== 0 || name === 'before the first commit') {
      // later stops may come after the run finished; a stopped run says what it kept
      expect(stopped.code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(stopped.stderr).toMatch(
        new RegExp(`stopped by ${signal}: \\d+ of ${FILES} file\\(s\\) stored completely`),
      );
      // a clean stop leaves nothing half-stored behind
      expect((await contents(workspace)).unfinished).toBe(0);
    }

    const again = await rerun(workspace);
    expect(again.code, again.stderr).toBe(0);
    expect(await contents(workspace)).toEqual({ records: TOTAL, distinct: TOTAL, unfinished: 0 });
  });
});

it('was stopped inside files at least once, with their first rows already committed', () => {
  // otherwise the kills above never hit the case the workspace must recover from
  expect(leftUnfinished).toBeGreaterThan(0);
});
