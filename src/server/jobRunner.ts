import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { Job, JobProgress } from './apiTypes.js';
import type { WorkerMessage, WorkerRequest } from './jobResult.js';
import { emptyProgress, type JobStore } from './jobStore.js';
import type { ServerS3 } from './serverS3.js';
import { forkServerModule } from './workerProcess.js';
import type { RunOutputs, Workspace } from './workspace.js';

export interface RunnerOptions {
  configPath?: string;
  maxDecompressedBytes: number;
  /** DuckDB memory limit per job (bytes) */
  jobMemoryBytes: number;
  /** jobs analysed at once */
  concurrency: number;
  /** how S3 jobs reach S3 */
  s3: Omit<ServerS3, 'sources'>;
}

/** A run cut short by this many server stops is failed rather than queued once more. */
const MAX_INTERRUPTIONS = 2;

/** How often a running job's progress is written to the database (events go out on every update). */
const PERSIST_EVERY_MS = 2000;

/**
 * Runs queued jobs in the background, each in its own worker process (jobWorker.ts), a few at a
 * time, and tells listeners what happens: `progress` (jobId, JobProgress) and `job` (jobId) when a
 * job's status changes. On start it picks up what a previous server left: queued jobs run, and jobs
 * it was running are queued again (or failed after repeated interruptions), never lost silently.
 */
export class JobRunner extends EventEmitter {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, { child: ChildProcess; progress: JobProgress }>();
  /** jobs taken off the queue and not yet finished: known at once, before their worker exists */
  private readonly taken = new Set<string>();
  private stopping = false;

  constructor(
    private readonly store: JobStore,
    private readonly workspace: Workspace,
    private readonly options: RunnerOptions,
  ) {
    super();
    this.setMaxListeners(0);
  }

  async recover(): Promise<void> {
    for (const job of await this.store.withStatus('running', 'queued')) {
      if (job.status === 'running') {
        if (job.interruptions + 1 >= MAX_INTERRUPTIONS) {
          await this.store.markFailed(
            job.id,
            `the server stopped during this job ${job.interruptions + 1} times; it was not run again — re-run it, or split its files into smaller jobs`,
            { ...job.progress, stage: 'failed', at: new Date().toISOString() },
          );
          continue;
        }
        await this.store.requeue(job.id, { interrupted: true });
      }
      this.waiting.push(job.id);
    }
    this.pump();
  }

  enqueue(id: string): void {
    if (!this.isActive(id)) this.waiting.push(id);
    this.emit('job', id);
    this.pump();
  }

  isActive(id: string): boolean {
    return this.taken.has(id) || this.waiting.includes(id);
  }

  /** Forgets a queued job, or kills its worker when it runs; resolves once the worker has exited. */
  async cancel(id: string): Promise<void> {
    const at = this.waiting.indexOf(id);
    if (at >= 0) this.waiting.splice(at, 1);
    const run = this.running.get(id);
    if (run) await killWorker(run.child);
  }

  /** Stops the workers without touching their jobs: they stay `running` and are recovered on start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.waiting.length = 0;
    await Promise.all([...this.running.values()].map(({ child }) => killWorker(child)));
  }

  /** The job with its live progress when it runs (the database has it only every few seconds). */
  withLiveProgress(job: Job): Job {
    const progress = this.running.get(job.id)?.progress;
    return progress ? { ...job, progress } : job;
  }

  private pump(): void {
    while (!this.stopping && this.taken.size < this.options.concurrency && this.waiting.length > 0) {
      const id = this.waiting.shift() as string;
      this.taken.add(id);
      void this.start(id).finally(() => {
        this.taken.delete(id);
        // told only now, so a listener asking isActive() hears that the job is over
        this.emit('job', id);
        this.pump();
      });
    }
  }

  private async start(id: string): Promise<void> {
    const job = await this.store.get(id);
    if (!job) return;
    const ingest = !(await this.store.isIngested(id));
    const progress = { ...emptyProgress(ingest ? 'ingest' : 'analyse'), filesTotal: job.files.length };
    await this.store.markRunning(id, progress);
    const paths = this.workspace.jobPaths(id);
    for (const stale of Object.values(paths.next)) rmSync(stale, { force: true });
    const request: WorkerRequest = {
      jobId: id,
      files: job.files.map((f, i) => ({ path: this.workspace.uploadPath(id, i), name: f.name })),
      storePath: paths.flows,
      ingest,
      out: paths.next,
      previousOverview: paths.overview,
      ...(this.options.configPath ? { configPath: this.options.configPath } : {}),
      allowlist: job.allowlist,
      ...(job.source ? { s3: { source: job.source, connect: this.options.s3 } } : {}),
      maxDecompressedBytes: this.options.maxDecompressedBytes,
      memoryBytes: this.options.jobMemoryBytes,
    };
    const child = forkServerModule('jobWorker', [], ['ignore', 'ignore', 'inherit', 'ipc']);
    const run = { child, progress };
    this.running.set(id, run);
    this.emit('job', id);
    let outcome: WorkerMessage | undefined;
    let lastSaved = 0;
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        run.progress = message.progress;
        this.emit('progress', id, message.progress);
        if (Date.now() - lastSaved > PERSIST_EVERY_MS) {
          lastSaved = Date.now();
          void this.store.saveProgress(id, message.progress).catch(() => undefined);
        }
      } else if (message.type === 'ingested') {
        void this.store.markIngested(id, true);
      } else outcome = message;
    });
    child.send(request);
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.running.delete(id);
    if (!this.stopping) await this.finish(id, run.progress, outcome, exit);
  }

  private async finish(
    id: string,
    progress: JobProgress,
    outcome: WorkerMessage | undefined,
    exit: { code: number | null; signal: string | null },
  ): Promise<void> {
    const at = new Date().toISOString();
    try {
      if (!(await this.store.get(id))) return; // deleted while it ran
      const paths = this.workspace.jobPaths(id);
      if (outcome?.type === 'done' && Object.values(paths.next).every((path) => existsSync(path))) {
        this.emit('progress', id, { ...progress, stage: 'save', at } satisfies JobProgress);
        // the run's outputs become the job's before the database says so: a stop in between re-runs it
        for (const key of Object.keys(paths.next) as (keyof RunOutputs)[])
          renameSync(paths.next[key], paths[key]);
        // an older flowhawk's whole result, read while no report.json was there: this run replaces it
        rmSync(paths.legacyResult, { force: true });
        await this.store.saveResult(id, paths, { ...progress, stage: 'done', at });
      } else {
        const error =
          outcome?.type === 'failed'
            ? outcome.error
            : `the analysis process ended unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}); it may have run out of memory — lower the job's size or raise --job-memory`;
        await this.store.markFailed(id, error, { ...progress, stage: 'failed', at });
      }
    } catch (error) {
      await this.store
        .markFailed(id, `could not store the job's result: ${(error as Error).message}`, {
          ...progress,
          stage: 'failed',
          at,
        })
        .catch(() => undefined);
    }
  }
}

/** Kills a worker and resolves once it has exited (at once when it already has). */
function killWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
