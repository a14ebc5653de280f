import type { TrafficLeaders } from '../report.js';
import type { AnalysisStore } from '../store/store.js';

export const LEADERS_SHOWN = 5;

// ORDER BY the aggregate, not its alias: the alias repeats a column's name, which ClickHouse reads as
// the column (prefer_column_name_to_alias, see store/clickhouse)
export async function trafficLeaders(store: AnalysisStore, limit = LEADERS_SHOWN): Promise<TrafficLeaders> {
  const n = Math.trunc(limit);
  const talkers = await store.query<Record<string, unknown>>(`
    SELECT addr, max(internal) AS internal, sum(bytes) AS bytes, sum(connections) AS connections FROM (
      SELECT client AS addr, client_internal AS internal, sum(out_bytes + in_bytes) AS bytes, count(*) AS connections
      FROM fh_connections GROUP BY client, client_internal
      UNION ALL
      SELECT server, server_internal, sum(out_bytes + in_bytes), count(*) FROM fh_connections GROUP BY server, server_internal
    ) AS ends GROUP BY addr ORDER BY sum(bytes) DESC, addr LIMIT ${n}`);
  const ports = await store.query<Record<string, unknown>>(`
    SELECT server_port AS port, protocol, count(*) AS connections, sum(out_bytes + in_bytes) AS bytes
    FROM fh_connections WHERE protocol IN (6, 17)
    GROUP BY server_port, protocol ORDER BY connections DESC, port, protocol LIMIT ${n}`);
  return {
    talkers: talkers.map((r) => ({
      addr: String(r.addr),
      internal: Number(r.internal) === 1,
      bytes: Number(r.bytes),
      connections: Number(r.connections),
    })),
    ports: ports.map((r) => ({
      port: Number(r.port),
      protocol: Number(r.protocol),
      connections: Number(r.connections),
      bytes: Number(r.bytes),
    })),
  };
}
