import { sqlNumber } from '../store/dialect.js';
import type { SourcesKey } from './define.js';
import { count, round } from './describe.js';

/**
 * Completed-connection (application-layer) floods: an HTTP GET flood (ab, wrk without keep-alive,
 * LOIC/HOIC, a botnet's HTTP flood) completes every handshake and sends its request, so it leaves no
 * half-open connections and no unanswered traffic; what it does leave is a rate of NEW connections to
 * one service far above what a client needs. A browser keeps a handful of connections to a site
 * alive, a client behind a connection pool reuses its connections, an ALB health check opens one
 * every few seconds; ab -c 20 opened 900 a second against a python http.server (eval/captures/httpflood).
 *
 * What flow logs can show of it: a connection is a 5-tuple, so a client that reuses a source port
 * within one window is counted once. Counts err low, and one client cannot show more new 5-tuples a
 * minute to one service port than it has ephemeral ports (28,232 on Linux: about 470 a second).
 * Floods kept on a few long connections (wrk with keep-alive, HTTP/2 rapid reset) stay invisible.
 *
 * Internal helper of flood (our host as the server: the service's whole traffic is visible, so the
 * flood's share of it can be judged) and dos (our host as the sender: only its own connections are).
 */

/** A connection that completed (over windowedTraffic's per_connection): the client sent data and the server answered. */
const COMPLETED = 'protocol = 6 AND packets > 0 AND half_open = 0 AND reply_packets > 0';

/** dos's extra aggregate: completed TCP connections per key, window and interface. */
export const COMPLETED_CONNECTIONS_SQL = `sum(CASE WHEN ${COMPLETED} THEN 1 ELSE 0 END)`;

/**
 * CTEs to append after windowedTrafficSql (they read its per_connection): per server and window, the
 * service port with the most connections from flood sources, i.e. internet clients that completed at
 * least `perSource` connections to it in the window. Columns (conn_flood): server, win, cf_port,
 * cf_connections (the flood sources' connections), cf_sources, cf_service (every completed connection
 * to that port, internal clients' too: a busy service's own clients dilute the flood's share).
 */
export function connectionFloodCtes(perSource: number): string {
  // per_connection holds one row per interface that logged a 5-tuple: count its client ports once
  return `,
    cf_client AS (
      SELECT server, server_port, win, client, max(client_internal) AS client_internal,
        count(DISTINCT client_port) AS connections
      FROM per_connection WHERE ${COMPLETED}
      GROUP BY server, server_port, win, client
    ),
    cf_service AS (
      SELECT server, server_port, win, sum(connections) AS service,
        sum(CASE WHEN ${isSource(perSource)} THEN connections ELSE 0 END) AS flood,
        sum(CASE WHEN ${isSource(perSource)} THEN 1 ELSE 0 END) AS sources
      FROM cf_client GROUP BY server, server_port, win
    ),
    conn_flood AS (
      SELECT server, win, server_port AS cf_port, flood AS cf_connections, sources AS cf_sources,
        service AS cf_service
      FROM (
        SELECT cf_service.*, row_number() OVER (
          PARTITION BY server, win ORDER BY flood DESC, service DESC, server_port) AS rn
        FROM cf_service WHERE flood > 0
      ) ranked
      WHERE rn = 1
    )`;
}

/** flood's row, as connectionFloodCtes gives it (NULL when the server had no flood source). */
export interface ConnectionFloodColumns {
  cf_port: number | null;
  cf_connections: number | null;
  cf_sources: number | null;
  cf_service: number | null;
}

export interface ConnectionFloodParams {
  window: number;
  connectionsPerSecond: number;
  sourcePerSecond: number;
  floodShare: number;
}

/** One kind of flood flood's scoring weighs: what was observed against its threshold, and who sent it. */
export interface FloodTrigger {
  kind: string;
  observed: number;
  threshold: number;
  unit: string;
  what: string;
  sources: number;
  /** which connections' clients are this kind of flood's sources */
  senders: Omit<SourcesKey, 'server'>;
  /** a connection flood's service port, and the flood sources' share of its connections */
  port?: number;
  share?: number;
}

/** A connection flood's trigger: its port and share always known. */
export type ConnectionFloodTrigger = FloodTrigger & { port: number; share: number };

/** flood's completed-connection trigger: observed 0 unless the flood sources make floodShare of the service. */
export function connectionFloodTrigger(
  row: ConnectionFloodColumns,
  p: ConnectionFloodParams,
): ConnectionFloodTrigger {
  const flood = Number(row.cf_connections ?? 0);
  const service = Number(row.cf_service ?? 0);
  const sources = Number(row.cf_sources ?? 0);
  const port = Number(row.cf_port ?? 0);
  const share = service > 0 ? flood / service : 0;
  const from =
    sources === 1
      ? 'one internet client'
      : `${count(sources)} internet clients completing ${count(p.sourcePerSecond)} or more a second each`;
  return {
    kind: 'connection flood (completed connections, application layer)',
    observed: share >= p.floodShare ? flood / p.window : 0,
    threshold: p.connectionsPerSecond,
    unit: 'connections/s',
    what: `${count(flood)} completed TCP connections to port ${port} from ${from} (${round(share * 100, 0)}% of the ${count(service)} the service completed, threshold ${round(p.floodShare * 100, 0)}%)`,
    sources,
    // the sources are the clients at flood rate, not the service's ordinary clients in the same span
    senders: {
      serverPorts: [port],
      protocols: [6],
      clientInternal: false,
      failed: false,
      halfOpen: false,
      minConnections: p.sourcePerSecond * p.window,
    },
    share,
    port,
  };
}

// ——— internal helpers ———

const isSource = (perSource: number) => `client_internal = 0 AND connections >= ${sqlNumber(perSource)}`;
