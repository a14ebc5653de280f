import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { formatByteSize } from '../byteSize.js';
import { loadConfig, resolveConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { FlowhawkError } from '../errors.js';
import type { IngestSummary } from '../report.js';
import { scan } from '../scan.js';
import type { AnalysisStore } from '../store/store.js';
import type { JobOverview, JobProgress } from './apiTypes.js';
import { judgeDamage } from './damagedFiles.js';
import { duckdbMemoryLimit, type JobResult, type WorkerMessage, type WorkerRequest } from './jobResult.js';
import { writeRunOutputs } from './resultFiles.js';
import { s3JobRange, s3ReadOptions } from './s3JobSource.js';

/**
 * One job's analysis, in a child process of the server: a native crash or a memory spike here
 * cannot take the server (or the other jobs) down, and deleting a running job just kills it.
 * Talks to the parent over IPC only; the parent alone writes the jobs database.
 */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function runJob(request: WorkerRequest): Promise<void> {
  const base = loadConfig(DETECTORS, request.configPath);
  const extra = resolveConfig(DETECTORS, { allowlist: request.allowlist }, 'the job allowlist').allowlist;
  const config = { ...base, allowlist: [...base.allowlist, ...extra] };
  if (request.ingest) rmSync(request.storePath, { force: true });
  const memoryLimit = duckdbMemoryLimit(request.memoryBytes);
  const names = new Map(request.files.map((f) => [f.path, f.name]));
  // an S3 job's size is known once its listing is: the read progress carries it
  let bytes = request.files.reduce((sum, f) => sum + statSync(f.path).size, 0);
  // a re-run reads no file: the first run's summary still says what the flows came from
  const previous = request.ingest ? undefined : previousIngest(request);
  let filesTotal = Math.max(request.files.length, previous?.perFile.length ?? 0);
  const started = Date.now();
  const progress = (p: Omit<JobProgress, 'stage' | 'at' | 'recordsPerSecond'>): JobProgress => ({
    ...p,
    stage: 'ingest',
    recordsPerSecond: Math.round(p.records / Math.max(0.001, (Date.now() - started) / 1000)),
    at: new Date().toISOString(),
  });
  const s3 = request.s3;
  const range = s3 ? s3JobRange(s3.source) : undefined;
  const result = await scan({
    sources: request.ingest ? (s3 ? [s3.source.url] : request.files.map((f) => f.path)) : [],
    store: { workspace: request.storePath, memoryLimit, analysisMemoryLimit: memoryLimit },
    config,
    detectors: DETECTORS,
    ingest: {
      // uploads are stored under numbers: they are shown under the names the browser sent
      ...(s3
        ? { s3: s3ReadOptions(s3.source, s3.connect) }
        : { displayName: (path) => names.get(path) ?? 'upload' }),
      maxDecompressedBytes: request.maxDecompressedBytes,
    },
    ...(range ? { range } : {}),
    onProgress: (p) => {
      if (p.stage !== 'read') return;
      bytes = Math.max(bytes, p.file.bytesTotal);
      filesTotal = Math.max(filesTotal, p.file.total);
      void send({
        type: 'progress',
        progress: progress({
          filesDone: p.file.done,
          filesTotal: p.file.total,
          bytesDone: p.file.bytesDone,
          bytesTotal: p.file.bytesTotal,
          records: p.file.recordsStored,
        }),
      });
    },
    beforeAnalysis: async ({ ingest: summary, store }) => {
      if (summary) {
        // records reach the store in batches, so the per-file counts trail: the summary has them all
        await send({
          type: 'progress',
          progress: progress({
            filesDone: summary.perFile.length,
            filesTotal: Math.max(filesTotal, summary.perFile.length),
            bytesDone: bytes,
            bytesTotal: bytes,
            records: summary.records,
          }),
        });
        judgeDamage(summary);
        await send({ type: 'ingested' });
      }
      await send({ type: 'progress', progress: await stageProgress(filesTotal, bytes, store, summary) });
    },
    traffic: true,
    showSuppressed: false,
    ...withPrevious(previous),
  });
  // report.json keeps the traffic beside the report (the overview API serves it on its own)
  const { traffic, ...report } = result.report;
  const jobResult: JobResult = { report, traffic: traffic ?? null };
  await writeRunOutputs(request.out, jobResult);
}

function withPrevious(previous: IngestSummary | undefined): { previousIngest?: IngestSummary } {
  return previous ? { previousIngest: previous } : {};
}

/** The analyse stage's progress: every file read, and the flows the job's store holds (a re-run reads none). */
async function stageProgress(
  files: number,
  bytes: number,
  store: AnalysisStore,
  summary: IngestSummary | undefined,
): Promise<JobProgress> {
  const [row] = await store.query<{ n: bigint }>('SELECT count(*) AS n FROM flows');
  return {
    stage: 'analyse',
    filesDone: Math.max(files, summary?.perFile.length ?? 0),
    filesTotal: Math.max(files, summary?.perFile.length ?? 0),
    bytesDone: bytes,
    bytesTotal: bytes,
    records: Number(row?.n ?? 0),
    recordsPerSecond: summary?.recordsPerSecond ?? 0,
    at: new Date().toISOString(),
  };
}

function previousIngest(request: WorkerRequest): IngestSummary | undefined {
  if (!request.previousOverview || !existsSync(request.previousOverview)) return undefined;
  const previous = JSON.parse(readFileSync(request.previousOverview, 'utf8')) as JobOverview;
  return previous.ingest ?? undefined;
}

function describe(error: unknown, memoryBytes: number): string {
  if (error instanceof FlowhawkError) return `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
  const message = (error as Error).message ?? String(error);
  if (/out of memory/i.test(message)) {
    return `the job needed more memory than its limit (${formatByteSize(memoryBytes)}) — restart the server with a larger --job-memory (e.g. 1G for ten million records) and re-run the job (DuckDB: ${message.split('\n')[0]})`;
  }
  return `unexpected error: ${message}`;
}

// a worker whose server died (killed, crashed) stops too: the next server runs the job again, and
// must find the job's DuckDB file free
if (!process.connected) process.exit(1);
process.once('disconnect', () => process.exit(1));

process.once('message', (request: WorkerRequest) => {
  runJob(request).then(
    async () => {
      await send({ type: 'done' });
      process.exit(0);
    },
    async (error: unknown) => {
      await send({ type: 'failed', error: describe(error, request.memoryBytes) });
      process.exit(1);
    },
  );
});
