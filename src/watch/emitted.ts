import type { Finding } from '../finding.js';
import type { DuckdbStore } from '../store/duckdbStore.js';

/**
 * Which findings a watch has already emitted, kept in its workspace so that a restarted watch does not
 * say them again. A finding's id is stable across runs (a hash of detector, actor and target); what
 * is remembered beside it is what makes it news again: a different severity, or a larger count (more
 * connections, ports, targets seen). A count that falls is not news: it falls as old records leave
 * the look-back window.
 *
 * The table is the watch's own state, not the flows' bookkeeping (store/schema.ts): it is made here,
 * on the watch's first poll of a workspace, and nothing else reads it.
 */
const TABLE = 'watch_emitted';

export type Change = 'new' | 'changed';

export interface FindingChange {
  finding: Finding;
  change: Change;
}

export async function ensureEmittedTable(store: DuckdbStore): Promise<void> {
  await store.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (
    finding_id VARCHAR PRIMARY KEY, severity VARCHAR, count BIGINT, emitted_at TIMESTAMP)`);
}

/** The findings not emitted yet, or emitted with another severity or a smaller count. */
export async function unemitted(store: DuckdbStore, findings: readonly Finding[]): Promise<FindingChange[]> {
  const rows = await store.query<{ finding_id: string; severity: string; count: bigint }>(
    `SELECT finding_id, severity, count FROM ${TABLE}`,
  );
  const emitted = new Map(rows.map((r) => [r.finding_id, r]));
  const changes: FindingChange[] = [];
  for (const finding of findings) {
    const before = emitted.get(finding.id);
    if (!before) changes.push({ finding, change: 'new' });
    else if (before.severity !== finding.severity || finding.count > Number(before.count))
      changes.push({ finding, change: 'changed' });
  }
  return changes;
}

/** Records findings as emitted, as they were when emitted. */
export async function rememberEmitted(store: DuckdbStore, changes: readonly FindingChange[]): Promise<void> {
  if (changes.length === 0) return;
  await store.run('BEGIN TRANSACTION');
  try {
    for (const { finding } of changes) {
      await store.run(`INSERT OR REPLACE INTO ${TABLE} VALUES ($1, $2, $3, current_timestamp)`, [
        finding.id,
        finding.severity,
        finding.count,
      ]);
    }
    await store.run('COMMIT');
  } catch (error) {
    await store.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
