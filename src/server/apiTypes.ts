/**
 * The JSON shapes of the web API (`flowhawk serve`), shared by the server and the page in web/.
 * The OpenAPI document (server/openapi.ts) describes the same shapes for other clients.
 */
import type { AllowlistEntry } from '../config/config.js';
import type { Finding, Severity } from '../finding.js';
import type { DetectorRun, IngestSummary, TrafficLeaders, TrafficOverview } from '../report.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** Where a running job is: `ingest` reads the files, `analyse` runs the detectors, `save` stores findings. */
export type JobStage = 'queued' | 'ingest' | 'analyse' | 'save' | 'done' | 'failed';

export interface JobProgress {
  stage: JobStage;
  filesDone: number;
  filesTotal: number;
  /** stored (compressed) bytes of the files read, and of all of them */
  bytesDone: number;
  bytesTotal: number;
  /** flow records stored so far */
  records: number;
  /** flow records per second since the stage began */
  recordsPerSecond: number;
  /** ISO time of this update */
  at: string;
}

/** An uploaded file: `name` is what the browser sent, shown as text and never used as a path. */
export interface JobFile {
  name: string;
  size: number;
}

/**
 * An S3 job's source: the location listed and the window of objects read (ISO times, fixed when the
 * job was made, so a re-run reads and analyses the same span).
 */
export interface S3JobSource {
  url: string;
  since?: string;
  until?: string;
  accounts?: string[];
  regions?: string[];
}

/** POST /api/jobs/s3: `since`/`until` may also be durations before now (24h, 7d) or Unix seconds. */
export interface S3JobRequest extends S3JobSource {
  name?: string;
}

export interface Job {
  id: string;
  name: string;
  status: JobStatus;
  /** ISO times */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** uploaded files; an S3 job lists its objects in its overview's ingest summary instead */
  files: JobFile[];
  /** where an S3 job reads from; null for an upload */
  source: S3JobSource | null;
  progress: JobProgress;
  /** why the job failed: what was wrong, where, and what to do */
  error: string | null;
  /** findings by severity (suppressed ones not counted); zeros until the job is done */
  findingCounts: Record<Severity, number>;
  suppressedCount: number;
  /** the allowlist this job's analysis used, on top of the server's config */
  allowlist: AllowlistEntry[];
  /** analyses run so far (a re-run adds one) */
  runs: number;
  /** runs cut short by a server stop; the job was queued again */
  interruptions: number;
}

export interface JobList {
  jobs: Job[];
}

export interface FindingsPage {
  total: number;
  findings: Finding[];
}

/** What the job's data holds, for the overview charts. */
export interface JobOverview {
  traffic: TrafficOverview | null;
  leaders: TrafficLeaders | null;
  ingest: IngestSummary | null;
  detectors: DetectorRun[];
  connections: number;
}

export interface RerunRequest {
  allowlist: AllowlistEntry[];
}

export interface ApiError {
  error: string;
  /** what the user can do about it */
  hint?: string;
}

export interface ServerInfo {
  version: string;
  /** whether API calls need `Authorization: Bearer TOKEN` */
  auth: boolean;
  maxUploadBytes: number;
  maxDecompressedBytes: number;
  /** the s3:// locations a job may read (POST /api/jobs/s3); empty: S3 jobs are off */
  s3Sources: string[];
  /** report formats for GET /api/jobs/{id}/report?format= */
  formats: string[];
}
