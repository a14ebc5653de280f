import { halfOpenSql } from '../connection.js';
import { type Dialect, sqlNumber } from '../store/dialect.js';
import { count } from './describe.js';

/**
 * Traffic volume per time window, oriented by connection: for detectors that decide on packets and
 * bytes over time (floods, exfiltration) rather than on connection counts.
 *
 * Why not `fh_connections` alone: a connection there is a 5-tuple over the whole analysed span, so
 * in VPC logs all ICMP between two hosts is one connection, and a two-minute flood inside a day of
 * pings averages out to nothing. Why not raw records alone: a record does not say who initiated, so a
 * host answering a ping flood would look like the flooder, and a download server like an uploader.
 *
 * So each flow record is bucketed by its start time into windows of `window` seconds and joined to
 * the connection it belongs to (by 5-tuple, either way round), which tells whether the client or the
 * server sent it and leaves out what connection reconstruction leaves out (translating interfaces'
 * own legs, see engine/connections.ts). Volumes are summed per interface and the largest interface
 * kept, so traffic logged by both ends' interfaces counts once, as in fh_connections.
 *
 * The result is the CTE `traffic`, one row per key and window, with:
 * - packets, bytes, records: what clients sent; reply_packets, reply_bytes: what servers answered
 * - packet_rate, byte_rate (per second): each connection's packets and bytes over its own span in the
 *   window (never less than the window), summed. A flow record spreads its packets over its span, so
 *   this is the rate during the window, and one long-lived connection starting in it (a Zeek record
 *   of an hour) cannot dilute the rate of the rest the way dividing the window's total by its span would
 * - connections: 5-tuples with client packets in the window; unanswered_packets, _bytes,
 *   _packet_rate, _byte_rate: the same for 5-tuples the server never answered within the window
 * - half_open: TCP 5-tuples whose client sent no data in the window, only a few header-sized packets
 *   (halfOpenSql in connection.ts): attempts that never carried data
 * - clients, servers, ports (distinct server ports), t0, t1 (first start, last end), flags_known
 * - client_internal, server_internal: the largest value (constant when the key holds the address)
 * - any `extra` aggregate, over the per-connection columns above plus `aws_service`
 *   (pkt-dst-aws-service of the client's records, else the AWS range holding the server) and `gateway_endpoint` (1: traffic-path 7)
 *
 * CTEs appended after `traffic` may read `per_connection` too (one row per 5-tuple, window and logging
 * interface, with the per-connection columns above): connectionFlood.ts counts each client's there.
 *
 * Internal helper of the volume detectors (impact/).
 */
export interface WindowedTraffic {
  /** window length, seconds */
  window: number;
  /** condition over fh_connections choosing the connections whose traffic counts */
  connections: string;
  /** the result's grouping, besides the window */
  keys: readonly ('client' | 'server' | 'protocol')[];
  /**
   * Cheap pre-filter before the join: only windows whose raw records from one address to another
   * (`pair`) or to one address (`server`) reach one of these totals are oriented and counted. It
   * must be a necessary condition of the detector's decision, never the decision itself.
   */
  busy: { by: 'pair' | 'server'; minPackets?: number; minBytes?: number };
  /** further aggregates per key and window over the per-connection rows (combined with max) */
  extra?: Readonly<Record<string, string>>;
}

/** `WITH … traffic AS (…)`: append the final SELECT over `traffic`. */
export function windowedTrafficSql(d: Dialect, spec: WindowedTraffic): string {
  const window = sqlNumber(spec.window);
  const keys = [...spec.keys, 'win'].join(', ');
  const pair = spec.busy.by === 'pair';
  const busyCols = pair ? 's, d' : 'd';
  const forwardBusy = pair ? 'b.s = r.s AND b.d = r.d' : 'b.d = r.d';
  const reverseBusy = pair ? 'b.s = r.d AND b.d = r.s' : 'b.d = r.s';
  const extra = Object.entries(spec.extra ?? {});
  const busyIf = [
    ...(spec.busy.minPackets !== undefined ? [`sum(packets) >= ${sqlNumber(spec.busy.minPackets)}`] : []),
    ...(spec.busy.minBytes !== undefined ? [`sum(bytes) >= ${sqlNumber(spec.busy.minBytes)}`] : []),
  ];
  const oriented = (forward: 0 | 1) => `
      SELECT t.client AS client, t.client_port AS client_port, t.server AS server, t.server_port AS server_port,
        t.protocol AS protocol, t.client_internal AS client_internal, t.server_internal AS server_internal,
        r.win AS win, r.iface AS iface, ${forward} AS forward, r.start_time AS start_time, r.end_time AS end_time,
        r.packets AS packets, r.bytes AS bytes, r.tcp_flags AS tcp_flags,
        coalesce(r.pkt_dst_aws_service, t.range_aws_service) AS pkt_dst_aws_service, r.traffic_path AS traffic_path
      FROM rec r
      JOIN busy b ON ${forward ? forwardBusy : reverseBusy} AND b.win = r.win
      JOIN tuples t ON ${
        forward
          ? 't.client = r.s AND t.client_port = r.sp AND t.server = r.d AND t.server_port = r.dp'
          : 't.server = r.s AND t.server_port = r.sp AND t.client = r.d AND t.client_port = r.dp'
      } AND t.protocol = r.protocol`;
  const fwd = (expr: string) => `CASE WHEN forward = 1 THEN ${expr} ELSE 0 END`;
  // one interface's view of each key and window: traffic between two logged interfaces is logged twice
  const perKey = [
    ...['packets', 'bytes', 'reply_packets', 'reply_bytes', 'records', 'connections', 'half_open'],
    ...['packet_rate', 'byte_rate', 'unanswered_packets', 'unanswered_bytes', 'unanswered_packet_rate'],
    ...['unanswered_byte_rate', 'clients', 'servers', 'ports', 'flags_known'],
    ...extra.map(([name]) => name),
  ];
  return `
    WITH rec ${d.inlineCte} (
      SELECT coalesce(pkt_src_addr, src_addr) AS s, coalesce(pkt_dst_addr, dst_addr) AS d,
        coalesce(src_port, 0) AS sp, coalesce(dst_port, 0) AS dp, coalesce(protocol, -1) AS protocol,
        start_time, greatest(coalesce(end_time, start_time), start_time) AS end_time,
        coalesce(packets, 0) AS packets, coalesce(bytes, 0) AS bytes, tcp_flags,
        coalesce(interface_id, '') AS iface, pkt_dst_aws_service, traffic_path,
        floor(start_time / ${window}) AS win
      FROM flows
      WHERE start_time IS NOT NULL
    ),
    busy AS (
      SELECT ${busyCols}, win FROM rec GROUP BY ${busyCols}, win
      HAVING ${busyIf.length > 0 ? busyIf.join(' OR ') : '1 = 1'}
    ),
    tuples AS (
      SELECT c.*, af.aws_service AS range_aws_service
      FROM (
        SELECT DISTINCT client, client_port, server, server_port, protocol, client_internal, server_internal
        FROM fh_connections WHERE ${spec.connections}
      ) c LEFT JOIN fh_address_facts af ON af.addr = c.server
    ),
    oriented AS (${oriented(1)}
      UNION ALL${oriented(0)}
    ),
    per_tuple AS (
      SELECT client, client_port, server, server_port, protocol, win, iface,
        max(client_internal) AS client_internal, max(server_internal) AS server_internal,
        sum(${fwd('packets')}) AS packets, sum(${fwd('bytes')}) AS bytes,
        sum(CASE WHEN forward = 0 THEN packets ELSE 0 END) AS reply_packets,
        sum(CASE WHEN forward = 0 THEN bytes ELSE 0 END) AS reply_bytes,
        sum(forward) AS records, min(start_time) AS t0, max(end_time) AS t1,
        max(${fwd('CASE WHEN tcp_flags IS NOT NULL THEN 1 ELSE 0 END')}) AS flags_known,
        max(${fwd(`CASE WHEN ${d.bitAnd('tcp_flags', '2')} = 2 THEN 1 ELSE 0 END`)}) AS syn,
        max(CASE WHEN forward = 1 THEN pkt_dst_aws_service END) AS aws_service,
        max(${fwd('CASE WHEN traffic_path = 7 THEN 1 ELSE 0 END')}) AS gateway_endpoint
      FROM oriented
      GROUP BY client, client_port, server, server_port, protocol, win, iface
    ),
    per_connection AS (
      SELECT per_tuple.*,
        packets / greatest(t1 - t0, ${window}) AS packet_rate, bytes / greatest(t1 - t0, ${window}) AS byte_rate,
        ${halfOpenSql({ protocol: 'protocol', packets: 'packets', bytes: 'bytes', flagsKnown: 'flags_known', syn: 'syn' })} AS half_open
      FROM per_tuple
    ),
    per_key AS (
      SELECT ${keys}, iface,
        max(client_internal) AS client_internal, max(server_internal) AS server_internal,
        sum(packets) AS packets, sum(bytes) AS bytes, sum(reply_packets) AS reply_packets,
        sum(reply_bytes) AS reply_bytes, sum(records) AS records,
        sum(packet_rate) AS packet_rate, sum(byte_rate) AS byte_rate,
        sum(CASE WHEN packets > 0 THEN 1 ELSE 0 END) AS connections,
        sum(half_open) AS half_open,
        sum(CASE WHEN reply_packets = 0 THEN packets ELSE 0 END) AS unanswered_packets,
        sum(CASE WHEN reply_packets = 0 THEN bytes ELSE 0 END) AS unanswered_bytes,
        sum(CASE WHEN reply_packets = 0 THEN packet_rate ELSE 0 END) AS unanswered_packet_rate,
        sum(CASE WHEN reply_packets = 0 THEN byte_rate ELSE 0 END) AS unanswered_byte_rate,
        count(DISTINCT client) AS clients, count(DISTINCT server) AS servers,
        count(DISTINCT CASE WHEN packets > 0 THEN server_port END) AS ports,
        max(flags_known) AS flags_known, min(t0) AS t0, max(t1) AS t1${extra.map(([name, sql]) => `,\n        ${sql} AS ${name}`).join('')}
      FROM per_connection
      GROUP BY ${keys}, iface
    ),
    traffic AS (
      SELECT ${keys}, max(client_internal) AS client_internal, max(server_internal) AS server_internal,
        ${perKey.map((c) => `max(${c}) AS ${c}`).join(', ')},
        min(t0) AS t0, max(t1) AS t1
      FROM per_key
      GROUP BY ${keys}
    )`;
}

/** 46668414 → "46.7 MB" (decimal units, as AWS bills transfer). */
export function byteSize(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** Of the volume cards' triggers (each a rate against its threshold), the one crossed by the widest margin. */
export function strongestTrigger<T extends { observed: number; threshold: number }>(
  triggers: readonly T[],
): T | undefined {
  return triggers
    .filter((t) => t.observed >= t.threshold)
    .sort((a, b) => b.observed / b.threshold - a.observed / a.threshold)[0];
}

/** A trigger's rate for a sentence: "12.5 MB/s", "6,000 connections/s". */
export function rateText(value: number, unit: string): string {
  return unit === 'bytes/s' ? `${byteSize(value)}/s` : `${count(value)} ${unit}`;
}
