import type { FlowhawkConfig } from '../config/config.js';
import type { Detector } from '../detectors/define.js';
import { FlowhawkError, InterruptedError } from '../errors.js';
import { ingest } from '../ingest/ingest.js';
import type { S3SourceOptions } from '../ingest/sourceInputs.js';
import type { IngestSummary } from '../report.js';
import { scan } from '../scan.js';
import { DuckdbStore, type StoreOptions } from '../store/duckdbStore.js';
import type { TimeRange } from '../store/store.js';
import { ensureEmittedTable, type FindingChange, rememberEmitted, unemitted } from './emitted.js';
import { lookbackFor } from './lookback.js';

/**
 * `flowhawk watch`: poll the sources, read what is new into the workspace, analyse the recent window
 * and emit the findings not emitted before. Each poll opens the workspace and closes it (another
 * flowhawk can open it between polls); a stop (the signal) ends the poll at the next file, keeping
 * what was stored completely, and the next watch of the same workspace carries on from there.
 */

export interface WatchOptions {
  /** s3:// locations (or local folders) polled */
  sources: readonly string[];
  store: StoreOptions & { workspace: string };
  /** how S3 is reached; its filter's `since` bounds the first poll's listing */
  s3: S3SourceOptions;
  intervalSeconds: number;
  /** how far back each analysis reaches from the newest record stored (default: lookbackFor) */
  lookbackSeconds?: number;
  config: FlowhawkConfig;
  detectors: readonly Detector[];
  signal: AbortSignal;
  /** writes the new or changed findings; awaited before they are remembered as emitted */
  emit: (changes: readonly FindingChange[]) => Promise<void>;
  /** after each poll, for the status line */
  onPoll: (poll: PollReport) => void;
  /** one poll, then return */
  once?: boolean;
  /** how often a poll lists the whole look-back window instead of the recent margin (default CATCH_UP_SECONDS) */
  catchUpSeconds?: number;
}

export interface PollReport {
  startedAt: Date;
  /** what the poll read; absent when it stopped or failed before the end of its reading */
  ingest?: IngestSummary;
  /** the span analysed (Unix seconds); absent when nothing new was read, so nothing was analysed */
  analysed?: TimeRange;
  emitted: { new: number; changed: number };
  warnings: string[];
  /** this poll listed the whole look-back window, for objects that reached the bucket late */
  catchUp?: boolean;
  /** the poll failed; the next one tries again */
  failed?: FlowhawkError;
  /** when the next poll starts; absent after the last */
  nextAt?: Date;
}

/**
 * Objects are listed from this long before the previous poll began: AWS names an object by the
 * time it was written, and it can reach the bucket some minutes later. Objects already stored are
 * known by ETag and skipped without a download, so the margin costs only listing.
 */
export const LISTING_MARGIN_MS = 60 * 60 * 1000;

/**
 * How often a poll lists the whole look-back window: an object that reached the bucket more than
 * LISTING_MARGIN_MS after the time in its name (a delivery backlog, a replication delay) is beyond the
 * margin of every later poll, and would be left out for good. Once an hour its records are still read
 * and analysed; objects already stored cost only their listing (a 7-day window is ~170 folder listings).
 */
export const CATCH_UP_SECONDS = 60 * 60;

/** How a watch ended: after its one poll, or stopped (`during`: what the stop cut short). */
export interface WatchEnd {
  stopped: boolean;
  during?: string;
}

/** Polls until the signal stops it (or once); rejects on a first poll that fails, or on a bug. */
export async function watch(options: WatchOptions): Promise<WatchEnd> {
  const { signal } = options;
  const lookback = options.lookbackSeconds ?? lookbackFor(options.config, options.detectors).seconds;
  // analyse on the first poll (a restart may follow a stop before emitting) and after a failed one
  let pending = true;
  let lastListed: Date | undefined;
  let lastWhole: Date | undefined;
  let first = true;
  const catchUpMs = (options.catchUpSeconds ?? CATCH_UP_SECONDS) * 1000;
  while (!signal.aborted) {
    const startedAt = new Date();
    const catchUp = lastWhole !== undefined && startedAt.getTime() - lastWhole.getTime() >= catchUpMs;
    let report: PollReport;
    try {
      const polled = await poll(options, {
        startedAt,
        lookback,
        pending,
        since: catchUp ? wholeWindowSince(options, startedAt, lookback) : listingSince(options, lastListed),
      });
      if (polled === 'stopped')
        return { stopped: true, during: 'the analysis (its findings are left to the next start)' };
      report = catchUp ? { ...polled, catchUp } : polled;
      pending = false;
      // the first poll lists from --since (or everything): a whole listing too
      if (catchUp || lastListed === undefined) lastWhole = startedAt;
      lastListed = startedAt;
    } catch (error) {
      // the ingest put the workspace in order before saying so: files stored whole or not at all
      if (error instanceof InterruptedError && signal.aborted)
        return { stopped: true, during: error.message };
      if (first || !(error instanceof FlowhawkError)) throw error;
      pending = true;
      report = { startedAt, emitted: { new: 0, changed: 0 }, warnings: [], failed: error };
    }
    first = false;
    const wait = Math.max(0, options.intervalSeconds * 1000 - (Date.now() - startedAt.getTime()));
    const last = options.once === true || signal.aborted;
    options.onPoll(last ? report : { ...report, nextAt: new Date(Date.now() + wait) });
    if (last) break;
    await sleep(wait, signal);
  }
  return { stopped: signal.aborted };
}

/** The first poll lists from --since (or everything); later ones from just before the previous one. */
function listingSince(options: WatchOptions, lastListed: Date | undefined): Date | undefined {
  const given = options.s3.filter?.since;
  if (!lastListed) return given;
  const recent = new Date(lastListed.getTime() - LISTING_MARGIN_MS);
  return given && given > recent ? given : recent;
}

/** A catch-up lists the look-back window (and the margin before it), never before --since. */
function wholeWindowSince(options: WatchOptions, now: Date, lookback: number): Date {
  const given = options.s3.filter?.since;
  const window = new Date(now.getTime() - lookback * 1000 - LISTING_MARGIN_MS);
  return given && given > window ? given : window;
}

interface PollPlan {
  startedAt: Date;
  lookback: number;
  /** analyse even when nothing new is read */
  pending: boolean;
  since: Date | undefined;
}

async function poll(options: WatchOptions, plan: PollPlan): Promise<PollReport | 'stopped'> {
  const { signal } = options;
  const store = await DuckdbStore.open(options.store);
  try {
    await ensureEmittedTable(store);
    const filter = { ...options.s3.filter, ...(plan.since ? { since: plan.since } : {}) };
    const summary = await ingest(store, options.sources, { s3: { ...options.s3, filter }, signal });
    const report: PollReport = {
      startedAt: plan.startedAt,
      ingest: summary,
      emitted: { new: 0, changed: 0 },
      warnings: [],
    };
    if (summary.files === 0 && !plan.pending) return report;
    const [newest] = await store.query<{ t: number | null }>('SELECT max(start_time) AS t FROM flows');
    if (newest?.t === null || newest?.t === undefined) return report;
    // the window ends at the newest record stored, not at the clock: logs arrive minutes late
    const range: TimeRange = { since: Math.floor(newest.t - plan.lookback) };
    const result = await scan({ store, config: options.config, detectors: options.detectors, range });
    await store.restrictToRange({});
    // stopped while analysing: nothing is emitted, and the next watch analyses and emits it
    if (signal.aborted) return 'stopped';
    const changes = await unemitted(
      store,
      result.analysis.findings.filter((f) => !f.suppressed),
    );
    await options.emit(changes);
    await rememberEmitted(store, changes);
    return {
      ...report,
      analysed: range,
      warnings: result.warnings,
      emitted: {
        new: changes.filter((c) => c.change === 'new').length,
        changed: changes.filter((c) => c.change === 'changed').length,
      },
    };
  } finally {
    store.close();
  }
}

/** Waits `ms`, or until the signal stops the watch. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
