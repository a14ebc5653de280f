import { type IngestOptions, ingest } from '../../src/ingest/ingest.js';
import type { IngestSummary } from '../../src/report.js';
import { DuckdbStore } from '../../src/store/duckdbStore.js';

export interface Ingested {
  store: DuckdbStore;
  summary: IngestSummary;
  /** rows of a query, numbers as numbers (BIGINT converted) for easy comparison */
  rows: (sql: string) => Promise<Record<string, unknown>[]>;
}

/** Ingests paths into a fresh in-memory store; call store.close() when done. */
export async function ingestInMemory(paths: string[], options: IngestOptions = {}): Promise<Ingested> {
  const store = await DuckdbStore.open();
  const summary = await ingest(store, paths, options);
  const rows = async (sql: string) =>
    (await store.query(sql)).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  return { store, summary, rows };
}
