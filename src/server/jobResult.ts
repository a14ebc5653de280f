import type { Analysis, ScanReport, TrafficOverview } from '../report.js';
import type { JobProgress, S3JobSource } from './apiTypes.js';
import type { ServerS3 } from './serverS3.js';

/** What one analysis of a job produced: the report every output format renders, and its traffic. */
export interface JobResult {
  report: ScanReport;
  traffic: TrafficOverview | null;
}

/**
 * A JobResult as report.json holds it: all but the findings, which are findings.ndjson's lines (see
 * resultFiles.ts), so that neither file is ever one string too long for V8.
 */
export interface JobResultHead {
  report: Omit<ScanReport, 'analysis'> & { analysis: Omit<Analysis, 'findings'> };
  traffic: TrafficOverview | null;
  /** the lines findings.ndjson holds: a file cut short, or another run's, is told by it */
  findingCount: number;
}

/** Where one analysis writes its result (the layout is resultFiles.ts's runOutputs). */
export interface RunOutputs {
  /** JobResultHead JSON */
  report: string;
  /** one `{ seq, finding }` object per line, most severe first */
  findings: string;
  /** JobOverview JSON */
  overview: string;
}

/** The job worker's instructions (the parent sends one, then waits for `done` or `failed`). */
export interface WorkerRequest {
  jobId: string;
  /** files on disk, with the names they are shown under */
  files: { path: string; name: string }[];
  /** the job's own DuckDB file: flows are kept there so a re-run only analyses */
  storePath: string;
  /** read the files first (false on a re-run of a job already read) */
  ingest: boolean;
  /** where the worker writes what the analysis produced */
  out: RunOutputs;
  /** the last run's overview, whose ingest summary a re-run (which reads no file) keeps */
  previousOverview?: string;
  /** the server's config file, if any */
  configPath?: string;
  /** the job's allowlist entries, added to the config's */
  allowlist: unknown[];
  /** an S3 job's source (its `files` are then empty), and how the server reaches S3 */
  s3?: { source: S3JobSource; connect: Omit<ServerS3, 'sources'> };
  maxDecompressedBytes: number;
  /** DuckDB memory limit for the job (bytes) */
  memoryBytes: number;
}

export type WorkerMessage =
  | { type: 'progress'; progress: JobProgress }
  | { type: 'ingested' }
  | { type: 'done' }
  | { type: 'failed'; error: string };

/**
 * DuckDB's memory_limit for a byte count. DuckDB has units of its own ('2G' is 2·10⁹ bytes to it,
 * 2·2³⁰ to --job-memory), so it is told the bytes, which it takes as they are.
 */
export function duckdbMemoryLimit(bytes: number): string {
  return `${Math.round(bytes)}B`;
}
