import { halfOpenSql } from '../connection.js';
import type { SourcesKey } from '../detectors/define.js';
import type { FindingSource } from '../finding.js';
import type { AnalysisStore } from '../store/store.js';

/** 1 for a connection whose client never sent data: windowedTraffic's half_open, over the connection's totals. */
const HALF_OPEN = halfOpenSql({
  protocol: 'c.protocol',
  packets: 'c.out_packets',
  bytes: 'c.out_bytes',
  flagsKnown: 'c.flags_known',
  syn: 'c.client_syn',
});

/** A sources key with the span of its finding (Unix seconds). */
export interface SourcesQuery {
  key: SourcesKey;
  firstSeen: number;
  lastSeen: number;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const flag = (value: boolean | undefined) => (value === undefined ? 'NULL' : value ? '1' : '0');
const orNull = <T>(values: readonly T[] | undefined): (T | undefined)[] =>
  values && values.length > 0 ? [...values] : [undefined];

/**
 * Every client of each query's connections (see SourcesKey), busiest first (packets sent, then
 * connections, then address, so the order is stable), in one pass over fh_connections however many
 * queries. A connection overlapping the span counts: fh_connections holds a 5-tuple over the whole
 * analysed span, so its packets and bytes are its totals, not the span's.
 */
export async function fetchSources(
  store: AnalysisStore,
  queries: readonly SourcesQuery[],
): Promise<FindingSource[][]> {
  const result: FindingSource[][] = queries.map(() => []);
  if (queries.length === 0) return result;
  // one row per port and protocol asked for: a connection has one of each, so it meets one row
  const rows = queries.flatMap(({ key, firstSeen, lastSeen }, k) =>
    orNull(key.serverPorts).flatMap((port) =>
      orNull(key.protocols).map(
        (protocol) =>
          `(${k}, ${quote(key.server)}, ${port ?? 'NULL'}, ${protocol ?? 'NULL'}, ${flag(key.clientInternal)}, ${flag(key.failed)}, ${flag(key.halfOpen)}, ${key.minConnections ?? 1}, ${firstSeen}, ${lastSeen})`,
      ),
    ),
  );
  await store.run(
    store.dialect.createTable('fh_source_keys', {
      k: 'integer',
      server: 'text',
      port: 'integer',
      protocol: 'integer',
      client_internal: 'integer',
      failed: 'integer',
      half_open: 'integer',
      min_connections: 'integer',
      t0: 'double',
      t1: 'double',
    }),
  );
  for (let i = 0; i < rows.length; i += 1000) {
    await store.run(`INSERT INTO fh_source_keys VALUES ${rows.slice(i, i + 1000).join(', ')}`);
  }
  const sql = `
    SELECT k.k, c.client, count(*) AS connections, sum(c.out_packets) AS packets, sum(c.out_bytes) AS bytes,
      min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen
    FROM fh_connections c JOIN fh_source_keys k ON c.server = k.server
      AND (k.port IS NULL OR c.server_port = k.port)
      AND (k.protocol IS NULL OR c.protocol = k.protocol)
      AND (k.client_internal IS NULL OR c.client_internal = k.client_internal)
      AND (k.failed IS NULL OR c.failed = k.failed)
      AND (k.half_open IS NULL OR k.half_open = ${HALF_OPEN})
      AND c.first_seen <= k.t1 AND c.last_seen >= k.t0
    WHERE c.client <> c.server
    GROUP BY k.k, c.client
    HAVING count(*) >= max(k.min_connections)
    ORDER BY k.k, packets DESC, connections DESC, c.client`;
  for await (const r of store.queryRows(sql)) {
    result[Number(r.k)]?.push({
      actor: String(r.client),
      count: Number(r.connections),
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
      packets: Number(r.packets),
      bytes: Number(r.bytes),
    });
  }
  return result;
}

/** Sources a many-sender finding's explanation names; the machine-readable outputs list them all. */
export const SOURCES_NAMED = 3;

/** "Busiest sources: a (1,200 packets), b (900 packets) and 2 more (all listed in `sources`)." */
export function describeSources(sources: readonly FindingSource[]): string {
  if (sources.length === 0) return 'No source could be named (no connection to the target in the span).';
  const named = sources
    .slice(0, SOURCES_NAMED)
    .map((s) => `${s.actor} (${(s.packets ?? 0).toLocaleString('en-US')} packets)`)
    .join(', ');
  const more =
    sources.length > SOURCES_NAMED
      ? ` and ${(sources.length - SOURCES_NAMED).toLocaleString('en-US')} more`
      : '';
  return `${sources.length === 1 ? 'Source' : 'Busiest sources'}: ${named}${more} (every source is listed in the JSON, NDJSON, CSV and OCSF outputs).`;
}
