import { stat } from 'node:fs/promises';
import { type FlowhawkConfig, resolveConfig } from './config/config.js';
import { DETECTORS, type Detector } from './detectors/index.js';
import { analyse } from './engine/analyse.js';
import { loadIntoClickhouse } from './ingest/clickhouseLoad.js';
import { type FileProgress, type IngestOptions, ingest } from './ingest/ingest.js';
import { expandInputs } from './ingest/inputFiles.js';
import type { Analysis, IngestSummary, ScanReport } from './report.js';
import { isS3Url } from './sources/s3Url.js';
import { ClickhouseStore } from './store/clickhouse/clickhouseStore.js';
import { DuckdbStore, type StoreOptions } from './store/duckdbStore.js';
import type { AnalysisStore, TimeRange } from './store/store.js';
import { trafficOverview } from './store/trafficOverview.js';
import { threatListWarnings } from './threatintel/threatLists.js';
import { VERSION } from './version.js';

/**
 * The use case every front end runs (the CLI's scan and report, the server's job worker, the eval):
 * choose and open the store, read the sources into it, analyse the flows, and build the ScanReport
 * the output formats render. It writes nothing to standard output or standard error: progress goes
 * to `onProgress`, warnings come back in `warnings`, failures are thrown (FlowhawkError).
 */

/** What a scan reports while it works. */
export type ScanProgress =
  /** reading the sources: `fileDone` after each file, otherwise a periodic tick while one is read */
  | { stage: 'read'; file: FileProgress; fileDone: boolean }
  /** the analysis begins; `ingest` is what this scan read (absent when it read nothing) */
  | { stage: 'analyse'; ingest?: IngestSummary };

export interface ScanOptions {
  /**
   * files or folders (walked recursively), '-' for standard input, s3://bucket/prefix/ (listed as
   * `ingest.s3` says); none: analyse what the store holds
   */
  sources?: readonly string[];
  /**
   * where the flows go: an open store (the caller closes it), or the options to open one, which the
   * scan closes when it ends. Without a workspace, the flows are kept in memory, or in a scratch file
   * (removed on close) when the sources are large (see scanNeedsScratchFile) or a stream. Default: {}.
   */
  store?: DuckdbStore | StoreOptions;
  /** thresholds, internal networks, allowlist, threat lists (default: the defaults, no file read) */
  config?: FlowhawkConfig;
  /** the detector catalogue (default: DETECTORS) */
  detectors?: readonly Detector[];
  /** how the sources are read (field order, time zone, size cap, shown names) */
  ingest?: Omit<IngestOptions, 'onFile' | 'onTick' | 'signal'>;
  /**
   * stops the reading: files stored completely are kept, the rest removed, and the scan rejects with
   * an InterruptedError. The analysis is not interrupted by it.
   */
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /**
   * called once reading is over (or at once when there are no sources), before the analysis, with
   * what was read and the store; awaited, and what it throws ends the scan (e.g. "nothing to analyse")
   */
  beforeAnalysis?: (read: { ingest?: IngestSummary; store: AnalysisStore }) => void | Promise<void>;
  /**
   * a ClickHouse store (clickhouse://… or chdb://…, see store/clickhouse/storeUrl.ts): the sources are
   * read as always, into a scratch DuckDB store, then sent to it (files it holds are skipped), and the
   * analysis runs there, over everything it holds; `store` then only sets the scratch store's options
   */
  clickhouse?: string;
  /** analyse only the flows starting within this span (the store keeps everything) */
  range?: TimeRange;
  /** also summarise the store's traffic into `report.traffic` (the HTML report's timeline); default false */
  traffic?: boolean;
  /** the report lists suppressed findings too (ScanReport.showSuppressed); default false */
  showSuppressed?: boolean;
  /** when no source is read: the summary of what the stored flows came from, for the report */
  previousIngest?: IngestSummary;
}

export interface ScanResult {
  /** what every output format renders (FORMATS[name](report)) */
  report: ScanReport;
  analysis: Analysis;
  /** what this scan read; absent when it read no source */
  ingest?: IngestSummary;
  /** things the user should know that did not stop the scan (threat lists that could not be used) */
  warnings: string[];
  /** milliseconds spent reading the sources (0 without sources) */
  readMs: number;
}

/** Reads the sources (if any) into the store, runs the detectors, and returns the report. */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const sources = options.sources ?? [];
  const detectors = options.detectors ?? DETECTORS;
  const config = options.config ?? resolveConfig(detectors, {}, 'defaults');
  const given = options.store instanceof DuckdbStore;
  const store =
    options.store instanceof DuckdbStore ? options.store : await openStore(sources, options.store ?? {});
  let clickhouse: ClickhouseStore | undefined;
  try {
    const reading = performance.now();
    const summary = sources.length > 0 ? await read(store, sources, options) : undefined;
    if (options.clickhouse) {
      clickhouse = await ClickhouseStore.open(options.clickhouse);
      await loadIntoClickhouse(store, clickhouse);
    }
    const readMs = summary ? performance.now() - reading : 0;
    const analysed: AnalysisStore = clickhouse ?? store;
    await options.beforeAnalysis?.({ ...(summary ? { ingest: summary } : {}), store: analysed });
    options.onProgress?.({ stage: 'analyse', ...(summary ? { ingest: summary } : {}) });
    if (options.range) await analysed.restrictToRange(options.range);
    const analysis = await analyse(analysed, config, detectors);
    const ingested = summary ?? options.previousIngest;
    const traffic = options.traffic ? await trafficOverview(analysed) : undefined;
    const report: ScanReport = {
      version: VERSION,
      generatedAt: new Date().toISOString(),
      analysis,
      ...(ingested ? { ingest: ingested } : {}),
      ...(traffic ? { traffic } : {}),
      showSuppressed: options.showSuppressed ?? false,
    };
    return {
      report,
      analysis,
      ...(summary ? { ingest: summary } : {}),
      warnings: threatListWarnings(analysis.threatLists),
      readMs,
    };
  } finally {
    await clickhouse?.close();
    if (!given) store.close();
  }
}

/**
 * A scan without a workspace keeps its flows in memory only while the input is smaller than this (on
 * disk, gzip or not): in memory DuckDB cannot spill table data, and at about 170 MB of RAM per million
 * records a 30-million-record scan ran out of memory while reading (10 million took 2.3 GB). Above
 * it, the flows go to a database file in the scratch folder, deleted at the end.
 */
export const SCAN_IN_MEMORY_BYTES = 32 * 1024 ** 2;

/** Whether a scan of these paths without a workspace should keep its flows in a scratch file. */
export async function scanNeedsScratchFile(paths: readonly string[]): Promise<boolean> {
  // a bucket's size is not known before its listing, which the ingest makes: it may be any size
  if (paths.some(isS3Url)) return true;
  const { files } = await expandInputs(paths);
  let bytes = 0;
  for (const file of files) {
    // standard input and pipes have no size to go by: they may be any length
    if (file.path === '-') return true;
    const info = await stat(file.path).catch(() => undefined);
    if (info && !info.isFile()) return true;
    bytes += info?.size ?? 0;
    if (bytes >= SCAN_IN_MEMORY_BYTES) return true;
  }
  return false;
}

/** The store for a scan: a workspace when named; otherwise memory, or a scratch file for large input. */
async function openStore(sources: readonly string[], options: StoreOptions): Promise<DuckdbStore> {
  const scratchFile =
    options.scratchFile ??
    (!options.workspace && sources.length > 0 && (await scanNeedsScratchFile(sources)));
  return DuckdbStore.open({ ...options, scratchFile });
}

function read(store: DuckdbStore, sources: readonly string[], options: ScanOptions): Promise<IngestSummary> {
  const progress = options.onProgress;
  return ingest(store, sources, {
    ...options.ingest,
    ...(progress
      ? {
          onFile: (file: FileProgress) => progress({ stage: 'read', file, fileDone: true }),
          onTick: (file: FileProgress) => progress({ stage: 'read', file, fileDone: false }),
        }
      : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
