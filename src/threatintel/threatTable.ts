import type { AnalysisStore } from '../store/store.js';
import type { ThreatEntry } from './threatLists.js';

/**
 * Creates, on every analysis (empty when no lists are configured):
 * - `fh_threat_entries (list, kind, entry, lo, hi)`: one row per list entry, lo/hi the first and last
 *   address as 128-bit numbers like `addresses.ip`;
 * - `fh_threat_matches (addr, list, kind, entry, addresses)`: each stored address a list names, once
 *   per list, with the narrowest matching entry and how many addresses that entry covers.
 *
 * Cards join fh_threat_matches by address. The range join (`ip BETWEEN lo AND hi`) is done here once:
 * DuckDB runs it in about 0.1 s for 40,000 addresses and 130,000 entries on its own, but takes 15-25 s
 * when it sits inside a CTE a feature query reads twice.
 */
export async function createThreatTables(
  store: AnalysisStore,
  entries: readonly ThreatEntry[],
): Promise<void> {
  await store.run(
    'CREATE OR REPLACE TEMP TABLE fh_threat_entries (list VARCHAR, kind VARCHAR, entry VARCHAR, lo UHUGEINT, hi UHUGEINT)',
  );
  if (entries.length > 0) {
    // the appender: 130,000 entries in 0.1 s, where INSERT … VALUES batches take 3-4 s
    await store.appendRows(
      'fh_threat_entries',
      ['text', 'text', 'text', 'address', 'address'],
      entries.map((e) => [e.list, e.kind, e.entry, e.lo, e.hi]),
    );
  }
  await store.run(`CREATE OR REPLACE TEMP TABLE fh_threat_matches AS
    SELECT a.addr, t.list, t.kind, arg_min(t.entry, t.hi - t.lo) AS entry, min(t.hi - t.lo) + 1 AS addresses
    FROM addresses a JOIN fh_threat_entries t ON a.ip BETWEEN t.lo AND t.hi
    GROUP BY a.addr, t.list, t.kind`);
}
