/**
 * Load check for `flowhawk serve` (not part of `npm test`; see bench/README.md):
 *
 *   npm run bench:serve [-- --jobs 20 --size 50MiB --job-memory 512MiB --keep]
 *
 * Starts the built server on 127.0.0.1 as its own process, uploads `--jobs` gzip files of `--size`
 * each all at once, waits for every job, and checks: every upload accepted, every job done, each job's
 * findings equal to `flowhawk scan` of the same kind of file (its own scanner found, no other job's),
 * and the server's peak RSS under 1 GiB. Prints the figures; exits 1 when a check fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openAsBlob, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatByteSize, parseByteSize } from '../src/byteSize.js';
import type { Finding } from '../src/finding.js';
import type { Job } from '../src/server/apiTypes.js';
import { machineFacts } from './benchProcs.js';
import { SCAN_TARGET, scannerOf, writeBase, writeJobFile } from './serveLoadData.js';

const RSS_LIMIT = 1024 ** 3;
const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20' },
    size: { type: 'string', default: '50MiB' },
    keep: { type: 'boolean', default: false },
    'job-memory': { type: 'string' },
  },
});
const jobs = Number(values.jobs);
// 50MiB: the size the load-check figures in docs/web.md were measured with
const size = parseByteSize(values.size ?? '50MiB') ?? 50 * 1024 ** 2;
const out = join('bench', 'out', 'serve-load');
mkdirSync(out, { recursive: true });

// 1. files: the shared base once (kept while its size target is the same), then one per job
const base = join(out, `base-${size}.log.gz`);
if (!existsSync(base)) {
  for (const old of readdirSync(out)) rmSync(join(out, old), { force: true });
  process.stderr.write(`writing the base file (${formatByteSize(size)} of gzip)…\n`);
  const made = await writeBase(base, size);
  writeFileSync(`${base}.json`, JSON.stringify(made));
}
const baseFacts = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { bytes: number; records: number };
const files = Array.from({ length: jobs }, (_, i) => join(out, `job-${String(i).padStart(2, '0')}.log.gz`));
for (const [i, file] of files.entries()) await writeJobFile(base, file, i);

// 2. the reference: what the CLI finds in job 0's file
process.stderr.write('reference scan with the CLI…\n');
const cli = spawnSync(
  'node',
  ['bin/flowhawk.js', 'scan', files[0] as string, '--format', 'json', '--quiet'],
  {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  },
);
if (cli.status !== 0) throw new Error(`reference scan failed: ${cli.stderr}`);
const referenceReport = JSON.parse(cli.stdout) as { findings: Finding[]; ingest: { badLines: number } };
if (referenceReport.ingest.badLines !== 0) {
  throw new Error(`the generated file has ${referenceReport.ingest.badLines} bad lines`);
}
const reference = signature(referenceReport.findings, 0);

// 3. the server, and its memory sampled with its job workers
const workspace = join(tmpdir(), `flowhawk-load-${process.pid}`);
const serveArgs = ['bin/flowhawk.js', 'serve', '--port', '0', '--workspace', workspace];
if (values['job-memory']) serveArgs.push('--job-memory', values['job-memory']);
const server = spawn('node', serveArgs, {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise<string>((resolve, reject) => {
  let seen = '';
  server.stderr.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    const match = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
    if (match?.[1]) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`server exited (${code}): ${seen}`)));
});
const peak = { server: 0, withWorkers: 0 };
const sampler = setInterval(() => {
  const own = rss(server.pid as number);
  const workers = children(server.pid as number).reduce((sum, pid) => sum + rss(pid), 0);
  peak.server = Math.max(peak.server, own);
  peak.withWorkers = Math.max(peak.withWorkers, own + workers);
}, 100);

// 4. every upload at once
const started = performance.now();
const created = await Promise.all(
  files.map(async (file, i) => {
    const form = new FormData();
    form.append('files', await openAsBlob(file), `AWSLogs/${i}/load.log.gz`);
    const response = await fetch(`${url}/api/jobs`, { method: 'POST', body: form });
    if (response.status !== 201) throw new Error(`upload ${i}: ${response.status} ${await response.text()}`);
    return { job: (await response.json()) as Job, uploadedMs: performance.now() - started };
  }),
);
const uploadSeconds = (performance.now() - started) / 1000;
process.stderr.write(`${jobs} uploads accepted in ${uploadSeconds.toFixed(1)} s; analysing…\n`);

// 5. wait for every job
const ids = created.map((c) => c.job.id);
for (;;) {
  const list = (await (await fetch(`${url}/api/jobs`)).json()) as { jobs: Job[] };
  const done = list.jobs.filter((j) => j.status === 'done' || j.status === 'failed').length;
  process.stderr.write(`\r${done}/${jobs} jobs finished, peak RSS ${formatByteSize(peak.server)} (server)  `);
  if (done === jobs) break;
  await new Promise((r) => setTimeout(r, 2000));
}
const totalSeconds = (performance.now() - started) / 1000;
process.stderr.write('\n');

// 6. every job's findings against the reference
const problems: string[] = [];
const jobTimes: number[] = [];
for (const [i, id] of ids.entries()) {
  const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as Job;
  if (job.status !== 'done') {
    problems.push(`job ${i}: ${job.status}: ${job.error}`);
    continue;
  }
  jobTimes.push((Date.parse(job.finishedAt ?? '') - Date.parse(job.startedAt ?? '')) / 1000);
  const report = (await (await fetch(`${url}/api/jobs/${id}/report?format=json`)).json()) as {
    findings: Finding[];
    ingest: { records: number; badLines: number } | null;
  };
  // the job read what the file holds: every line a record (a generator fault once made them all bad lines)
  if (report.ingest?.badLines !== 0 || report.ingest?.records !== baseFacts.records + 300) {
    problems.push(
      `job ${i}: read ${report.ingest?.records} records and ${report.ingest?.badLines} bad lines`,
    );
  }
  const got = signature(report.findings, i);
  if (got !== reference)
    problems.push(`job ${i}: findings differ from the CLI's\n  got ${got}\n  want ${reference}`);
  if (!got.includes(`portscan|SCANNER|${SCAN_TARGET}`))
    problems.push(`job ${i}: its port scan was not found`);
}
clearInterval(sampler);
server.kill('SIGINT');
await new Promise((r) => server.once('exit', r));
if (!values.keep) rmSync(workspace, { recursive: true, force: true });
if (peak.server >= RSS_LIMIT) problems.push(`server peak RSS ${formatByteSize(peak.server)} ≥ 1 GiB`);

const result = {
  machine: machineFacts(),
  jobs,
  fileBytes: baseFacts.bytes,
  recordsPerFile: baseFacts.records + 300,
  uploadSeconds: Number(uploadSeconds.toFixed(1)),
  uploadMBps: Number(((jobs * baseFacts.bytes) / 1e6 / uploadSeconds).toFixed(1)),
  totalSeconds: Number(totalSeconds.toFixed(1)),
  jobSecondsMedian: median(jobTimes),
  peakRssServer: peak.server,
  peakRssServerAndWorkers: peak.withWorkers,
  referenceFindings: reference.split('\n').length,
  problems,
};
writeFileSync(join(out, 'result.json'), JSON.stringify(result, null, 2));
process.stdout.write(
  `${[
    `machine: ${result.machine.nproc}× ${result.machine.cpuModel}, ${result.machine.totalMemoryMb} MB, Node ${result.machine.node}, load ${result.machine.loadAverage1m}`,
    `${jobs} concurrent uploads of ${formatByteSize(baseFacts.bytes)} (${result.recordsPerFile.toLocaleString('en-US')} records each)`,
    `  all uploaded in ${result.uploadSeconds} s (${result.uploadMBps} MB/s); all analysed after ${result.totalSeconds} s`,
    `  one job (read + analyse), median: ${result.jobSecondsMedian} s`,
    `  peak RSS: server ${formatByteSize(peak.server)}; server + job workers ${formatByteSize(peak.withWorkers)}`,
    `  findings per job: ${result.referenceFindings}, each equal to \`flowhawk scan\` of the same file`,
    problems.length === 0 ? 'all checks passed' : `FAILED:\n${problems.join('\n')}`,
  ].join('\n')}\n`,
);
process.exitCode = problems.length === 0 ? 0 : 1;

/** A job's findings as comparable text: its own scanner written as SCANNER. */
function signature(findings: readonly Finding[], job: number): string {
  const scanner = scannerOf(job);
  const name = (addr: string | null) => (addr === scanner ? 'SCANNER' : String(addr));
  return findings
    .filter((f) => !f.suppressed)
    .map((f) => `${f.detector}|${name(f.actor)}|${name(f.target)}|${f.severity}|${f.count}`)
    .sort()
    .join('\n');
}

function rss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return Number((sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1));
}
