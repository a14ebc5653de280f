/**
 * Follows a job through GET /api/jobs/{id}/events: `job` events (the job, first and on every status
 * change) and `progress` events. Reconnects when the stream breaks before the job is done or failed.
 */
import type { Job, JobProgress } from '../src/server/apiTypes.js';
import { ApiError, api, isAbort } from './api.js';
import { readEventStream } from './sse.js';

export interface JobStreamHandlers {
  onJob(job: Job): void;
  onProgress(progress: JobProgress): void;
  /** a problem with the stream itself: retried, unless the server answered 4xx (no such job…) */
  onError(err: unknown, retrying: boolean): void;
}

export const isFinished = (job: Job): boolean => job.status === 'done' || job.status === 'failed';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export async function followJob(id: string, handlers: JobStreamHandlers, signal: AbortSignal): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    let last = null as Job | null;
    try {
      const res = await api.events(id, signal);
      failures = 0;
      await readEventStream(
        res,
        (event) => {
          if (signal.aborted) return;
          if (event.event === 'job') {
            last = JSON.parse(event.data) as Job;
            handlers.onJob(last);
          } else if (event.event === 'progress') {
            handlers.onProgress(JSON.parse(event.data) as JobProgress);
          }
        },
        signal,
      );
      if (last !== null && isFinished(last)) return;
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      const final = err instanceof ApiError && err.status >= 400 && err.status < 500;
      handlers.onError(err, !final);
      if (final) return;
      failures++;
    }
    await sleep(Math.min(5000, 500 * 2 ** failures), signal);
  }
}
