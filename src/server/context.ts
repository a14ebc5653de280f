import type { JobRunner } from './jobRunner.js';
import type { JobStore } from './jobStore.js';
import type { ServerS3 } from './serverS3.js';
import type { Workspace } from './workspace.js';

/** Where the server says what it did or refused (a line, no prefix); stderr unless a caller captures it. */
export type ServerLog = (message: string) => void;

/** What every route needs: the jobs database, the runner, the workspace and the server's limits. */
export interface ServerContext {
  store: JobStore;
  runner: JobRunner;
  workspace: Workspace;
  maxUploadBytes: number;
  maxDecompressedBytes: number;
  auth: boolean;
  log: ServerLog;
  s3: ServerS3;
}
