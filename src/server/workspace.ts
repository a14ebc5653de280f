import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunOutputs } from './jobResult.js';
import { LEGACY_RESULT_FILE, runOutputs } from './resultFiles.js';

export type { RunOutputs } from './jobResult.js';

/** The server's jobs database (jobStore.ts), at the workspace's root. */
export const DB_FILE = 'flowhawk-server.duckdb';

/** Job ids are UUIDs made by the server; anything else never reaches a path. */
export const JOB_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const JOB_ID = new RegExp(JOB_ID_PATTERN);

export interface JobPaths extends RunOutputs {
  flows: string;
  next: RunOutputs;
  /** the whole result as an older flowhawk wrote it: read when report.json is missing, removed by a run */
  legacyResult: string;
}

/**
 * The server's directory: its jobs database, and per job the uploaded files (stored under numbers,
 * never under the names the browser sent), the job's flows database and its last analysis.
 */
export class Workspace {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(join(this.root, 'jobs'), { recursive: true });
  }

  get database(): string {
    return join(this.root, DB_FILE);
  }

  jobDir(id: string): string {
    if (!JOB_ID.test(id)) throw new Error(`not a job id: ${JSON.stringify(id)}`);
    return join(this.root, 'jobs', id);
  }

  /**
   * A job's files beside its uploads: its flows, and what its last analysis produced. A run writes
   * its outputs under `next` first; they replace the current ones once the run is stored.
   */
  jobPaths(id: string): JobPaths {
    const dir = this.jobDir(id);
    return {
      flows: join(dir, 'flows.duckdb'),
      ...runOutputs(dir),
      next: runOutputs(dir, '.next'),
      legacyResult: join(dir, LEGACY_RESULT_FILE),
    };
  }

  /** The directory of a job with no uploads (an S3 job), so its files have a home and a stop leaves no stray. */
  createJobDir(id: string): void {
    mkdirSync(this.jobDir(id), { recursive: true });
  }

  uploadDir(id: string): string {
    return join(this.jobDir(id), 'files');
  }

  /** The i-th uploaded file of a job: a number, zero-padded so a listing sorts in upload order. */
  uploadPath(id: string, index: number): string {
    if (!Number.isSafeInteger(index) || index < 0) throw new Error(`not a file index: ${index}`);
    return join(this.uploadDir(id), String(index).padStart(5, '0'));
  }

  /** The jobs with a directory here; anything else under jobs/ is not the server's and is left alone. */
  jobIds(): string[] {
    return readdirSync(join(this.root, 'jobs'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && JOB_ID.test(entry.name))
      .map((entry) => entry.name);
  }

  removeJob(id: string): void {
    rmSync(this.jobDir(id), { recursive: true, force: true });
  }
}
