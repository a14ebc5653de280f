import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/config.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { analyse } from '../../src/engine/analyse.js';
import type { Finding } from '../../src/finding.js';
import { loadIntoClickhouse } from '../../src/ingest/clickhouseLoad.js';
import { type IngestOptions, ingest } from '../../src/ingest/ingest.js';
import type { Analysis } from '../../src/report.js';
import { ClickhouseStore } from '../../src/store/clickhouse/clickhouseStore.js';
import { DuckdbStore } from '../../src/store/duckdbStore.js';

/**
 * The differential check (#14): the same files analysed on DuckDB and on ClickHouse (the engine
 * embedded by chdb) must give the same findings. Each finding is compared on what a user acts on:
 * detector, actor, target, severity, count, and its evidence lines (file and line of each record).
 */

/** What is compared of a finding. */
export interface ComparedFinding {
  detector: string;
  actor: string;
  target: string | null;
  severity: string;
  count: number;
  evidence: string[];
}

export const compared = (findings: readonly Finding[]): ComparedFinding[] =>
  findings
    .map((f) => ({
      detector: f.detector,
      actor: f.actor,
      target: f.target,
      severity: f.severity,
      count: f.count,
      evidence: f.evidence.map((e) => `${e.file}:${e.line}`),
    }))
    .sort((a, b) =>
      `${a.detector} ${a.actor} ${a.target}`.localeCompare(`${b.detector} ${b.actor} ${b.target}`),
    );

/** Tables a differential case empties in the shared ClickHouse store before it loads its files. */
const TABLES = ['flows', 'log_health', 'bad_lines', 'ingested_files', 'addresses'];

/** One ClickHouse store per test file: libchdb binds one data directory per process. */
export async function openChdb(): Promise<ClickhouseStore> {
  return ClickhouseStore.open('chdb://');
}

/** Analyses `paths` on DuckDB, then the same flows on ClickHouse; returns both analyses. */
export async function bothEngines(
  clickhouse: ClickhouseStore,
  paths: readonly string[],
  config: unknown = {},
  options: Pick<IngestOptions, 'utcOffsetMinutes'> = {},
): Promise<{ duckdb: Analysis; clickhouse: Analysis }> {
  const resolved = resolveConfig(DETECTORS, config, 'test config');
  const store = await DuckdbStore.open({ scratchFile: true });
  try {
    await ingest(store, paths, options);
    for (const table of TABLES) await clickhouse.run(`TRUNCATE TABLE IF EXISTS ${table}`);
    await loadIntoClickhouse(store, clickhouse);
    const onDuckdb = await analyse(store, resolved, DETECTORS);
    const onClickhouse = await analyse(clickhouse, resolved, DETECTORS);
    return { duckdb: onDuckdb, clickhouse: onClickhouse };
  } finally {
    store.close();
  }
}

/** Writes `text` to a temp file, runs `work` on its path, removes it. */
export async function withFile<T>(text: string, work: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'flowhawk-diff-'));
  try {
    const path = join(dir, 'flows.log');
    await writeFile(path, text);
    return await work(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
