import { CONNECTION_COLUMNS } from '../connection.js';
import { CONNECTION_LOG_FORMATS } from '../readers/index.js';
import type { Dialect } from '../store/dialect.js';
import { initiatorColumns, popularitySql } from './orientation.js';

/**
 * Connection reconstruction: flow records → `fh_connections`, one row per connection with its
 * initiator (client) and responder (server). Every detector counts connections, never records.
 *
 * Why not use records directly:
 * - A VPC record covers one direction of one 1–10 minute window. A web server's replies to 1,000 clients
 *   are 1,000 records from port 443 to 1,000 ephemeral ports: read naively, a port sweep. Pairing both
 *   directions of a 5-tuple and deciding who initiated removes that whole class of false positive.
 * - Internal traffic is logged twice (the sender's ENI egress, the receiver's ENI ingress) and NAT
 *   gateway traffic up to three times: per direction, volumes are summed per interface and the largest
 *   interface total kept, so one packet is counted once.
 * - `pkt-srcaddr`/`pkt-dstaddr` replace the logged addresses when present, so traffic through a NAT
 *   gateway, load balancer or transit gateway is attributed to the real hosts, and the translating
 *   interface's own legs are dropped (see fh_middleboxes). Without those fields the NAT gateway is
 *   the visible end of its instances' internet traffic: the ingest summary says so.
 *
 * The initiator is decided by the rules of orientation.ts, in order: flags (bare SYN, SYN-ACK), a side
 * that only answered (from a service or multicast-discovery port) is not the client, the only side
 * that sent anything (unless it only reset), well-known service ports, each port's popularity among
 * clients, the OS ephemeral ranges, a side that only reset, then time. `orientation` records which
 * rule decided.
 *
 * `failed` (0/1): the server never answered with data — the security group rejected the request, no
 * reply came, the reply was a RST without SYN-ACK, or (without tcp-flags) the reply was at most two
 * header-only packets. The Threshold Random Walk and every "attempt" count rest on it. A reply-only
 * connection (the client's side holds no record) has not failed without flags to say the reply was a
 * refusal: with flags, backscatter (SYN-ACKs to our forged address) reads as answered, and without
 * them a header-sized SYN-ACK must not read as a refused contact, or a host whose address a flood
 * forged against many web servers would sweep port 80 of all of them.
 *
 * A connection is the 5-tuple over the whole analysed span, so a client that reuses a source port for
 * a second connection to the same service is counted once: counts err low, never high. `attempts`
 * counts what the 5-tuple hides, per aggregation window (a record of the client's, once however many
 * interfaces logged it): for ICMP, which has no ports, every window of the client's (one record per
 * window in VPC logs, one per exchange in Zeek/Argus); for TCP with flags, each window that carries
 * a new SYN; for the rest (TCP without flags, UDP …), each window whose record the server never
 * answered (it sent nothing: a security group rejected the request, or no reply came). A scanner or IoT bot that
 * keeps one source port sends one packet a window and gets nothing back: without these, its fifty
 * windows of probing were one attempt. A 5-tuple the server answered is one attempt, however long
 * (a session spans many windows); one the client sent nothing on (a reply-only connection) is one.
 *
 * `server_aws_service` / `server_aws_region`: the AWS service whose published range holds the server
 * (fh_address_facts), or the client's pkt-dst-aws-service where logged (`logged_aws_service`), so
 * logs without that field still tell an upload to S3 from one to a stranger's host.
 */

/** One side's aggregate: `fn(expr)` over the records sent by that side of the connection. */
type SideAggregate = (fn: 'count' | 'sum' | 'min' | 'max', expr: string) => string;

/**
 * Per-direction facts of a 5-tuple, aggregated over its records in the same pass as the other
 * direction's. `records` is 0 for a side that sent nothing; its other facts are then NULL (DuckDB) or
 * 0 (ClickHouse) and are read only through coalesce or after checking `records`. `if_min`/`if_max`
 * are hashes of the logging interface: equal when one interface logged the side (see loggedBy).
 */
const SIDE_FACTS: readonly { name: string; sql: (a: SideAggregate) => string }[] = [
  { name: 'packets', sql: (a) => a('sum', 'packets') },
  { name: 'bytes', sql: (a) => a('sum', 'bytes') },
  { name: 't0', sql: (a) => a('min', 'start_time') },
  { name: 't1', sql: (a) => a('max', 'end_time') },
  { name: 'records', sql: (a) => a('count', '*') },
  { name: 'syn_records', sql: (a) => a('sum', 'syn') },
  { name: 'if_min', sql: (a) => a('min', 'iface') },
  { name: 'if_max', sql: (a) => a('max', 'iface') },
  { name: 'aws_service', sql: (a) => a('max', 'pkt_dst_aws_service') },
];

/** A record whose flags hold SYN without ACK: the side opened (or re-opened) the connection. */
const bareSyn = (d: Dialect) => `${d.bitAnd('tcp_flags', '2')} = 2 AND ${d.bitAnd('tcp_flags', '16')} = 0`;

/**
 * Yes/no facts of a side, each one bit of a per-record mask: the records of the side with the lower
 * address set the low bits, the other side's the next as many, so one bitwise-OR aggregate collects
 * them all (a max() aggregate each cost about ten times as much).
 */
const SIDE_FLAGS: readonly { name: string; sql: (d: Dialect) => string }[] = [
  { name: 'flags_known', sql: () => 'tcp_flags IS NOT NULL' },
  { name: 'syn', sql: (d) => bareSyn(d) },
  { name: 'synack', sql: (d) => `${d.bitAnd('tcp_flags', '18')} = 18` },
  { name: 'rst', sql: (d) => `${d.bitAnd('tcp_flags', '4')} = 4` },
  { name: 'fin', sql: (d) => `${d.bitAnd('tcp_flags', '1')} = 1` },
  { name: 'accepted', sql: () => "action = 'ACCEPT'" },
  { name: 'rejected', sql: () => "action = 'REJECT'" },
  { name: 'action_known', sql: () => 'action IS NOT NULL' },
  // a record other than a bare RST (or RST+ACK): none from a side that only refused (orientation.ts)
  {
    name: 'not_reset',
    sql: (d) =>
      `tcp_flags IS NULL OR ${d.bitAnd('tcp_flags', '4')} = 0 OR ${d.bitAnd('tcp_flags', '235')} <> 0`,
  },
];

/** The lo side's flags take the low bits of the mask, the hi side's the next as many. */
const HI_SHIFT = 2 ** SIDE_FLAGS.length;

/**
 * Volumes are divided by the number of interfaces that logged the direction: one direction of one
 * connection is logged by the sender's and the receiver's interface at most (a NAT gateway's
 * translated leg is another 5-tuple), so the divisor is 1 or 2, told by min(iface) <> max(iface) —
 * far cheaper than a stage per interface.
 */
function loggedBy(side: 'lo' | 'hi'): string {
  return `(CASE WHEN ${side}_if_min = ${side}_if_max THEN 1 ELSE 2 END)`;
}

/** The connection's key: its two ends in a canonical order (lo first), protocol and session. */
const KEY = 'lo, lo_port, hi, hi_port, protocol, session_file, session_line';

// formats whose every line is one connection already (the reader's card says connectionLog): their
// two rows per line pair with each other and never with another line of the same 5-tuple, so a
// scanner reusing one source port for 127 attempts is 127 connections, as the sensor saw them
const CONNECTION_LOG_FORMATS_SQL = CONNECTION_LOG_FORMATS.map((f) => `'${f}'`).join(', ');

/**
 * One row, `middleboxes` and `logs`: the ConnectionInputs of the flows in the store (run after
 * middleboxesSql).
 */
export const CONNECTION_INPUTS_SQL = `SELECT EXISTS (SELECT 1 FROM fh_middleboxes) AS middleboxes,
  EXISTS (SELECT 1 FROM ingested_files WHERE format IN (${CONNECTION_LOG_FORMATS_SQL})) AS logs`;

/** What the flows hold that decides which parts of the reconstruction are needed. */
export interface ConnectionInputs {
  /** a translating interface was found (fh_middleboxes is not empty): its legs must be dropped */
  middleboxes: boolean;
  /** some flows come from a connection log (CONNECTION_LOG_FORMATS): their lines are sessions */
  connectionLogs: boolean;
}

/**
 * A translating interface (NAT gateway, transit gateway) logs the hosts' legs with the real ends in
 * pkt-srcaddr/pkt-dstaddr, and its own translated leg as itself ↔ the remote host. Its own address
 * is the logged end that differs from the packet end; dropping its legs leaves each connection once,
 * between the real hosts. Run before connectionsSql, which needs to know whether any was found.
 */
export const middleboxesSql = (d: Dialect): string =>
  d.createTableAs(
    'fh_middleboxes',
    `SELECT DISTINCT dst_addr AS addr FROM flows WHERE pkt_dst_addr IS NOT NULL AND pkt_dst_addr <> dst_addr
  UNION SELECT DISTINCT src_addr FROM flows WHERE pkt_src_addr IS NOT NULL AND pkt_src_addr <> src_addr`,
  );

/**
 * The statements that build fh_connections (they need fh_address_facts, see networks.ts, and
 * fh_middleboxes), to run in order: the 5-tuples with both directions' facts (fh_connection_pairs),
 * the popularity of each end among clients (fh_endpoint_clients, which orientation needs over the
 * whole capture before any connection is oriented), the connections, then the scratch tables dropped.
 * Scratch tables rather than CTEs read twice: ClickHouse would compute such a CTE once per read.
 */
export function connectionsSql(d: Dialect, inputs: ConnectionInputs): string[] {
  return [
    pairsSql(d, inputs),
    d.createTableAs('fh_endpoint_clients', popularitySql('fh_connection_pairs')),
    orientedSql(d),
    'DROP TABLE IF EXISTS fh_connection_pairs',
    'DROP TABLE IF EXISTS fh_endpoint_clients',
  ];
}

/**
 * fh_connection_pairs: one grouping of the records by connection key, each direction's facts taken
 * with filtered aggregates, so the two directions are paired without a join.
 */
function pairsSql(d: Dialect, inputs: ConnectionInputs): string {
  const sideCols = (prefix: 'lo' | 'hi') => {
    const a: SideAggregate = (fn, expr) => d.aggregateIf(fn, expr, `from_lo = ${prefix === 'lo' ? 1 : 0}`);
    return SIDE_FACTS.map((f) => `${f.sql(a)} AS ${prefix}_${f.name}`);
  };
  const flagBits = SIDE_FLAGS.map((f, i) => `CASE WHEN ${f.sql(d)} THEN ${2 ** i} ELSE 0 END`).join(' + ');
  // per side: the facts derived from the aggregates, under the names the rest of the statement reads
  const derived = (prefix: 'lo' | 'hi') => [
    `${prefix}_packets / ${loggedBy(prefix)} AS ${prefix}_packets`,
    `${prefix}_bytes / ${loggedBy(prefix)} AS ${prefix}_bytes`,
    `${prefix}_records / ${loggedBy(prefix)} AS ${prefix}_windows`,
    `${prefix}_syn_records / ${loggedBy(prefix)} AS ${prefix}_syn_windows`,
    `CASE WHEN ${prefix}_records = 0 THEN 0 ELSE ${loggedBy(prefix)} END AS ${prefix}_interfaces`,
    ...SIDE_FLAGS.map(
      (f, i) =>
        `CASE WHEN ${d.bitAnd('flag_bits', String(2 ** i * (prefix === 'lo' ? 1 : HI_SHIFT)))} = 0 THEN 0 ELSE 1 END AS ${prefix}_${f.name}`,
    ),
  ];
  const passed = (prefix: 'lo' | 'hi') => ['t0', 't1', 'records', 'aws_service'].map((n) => `${prefix}_${n}`);
  const sessionFile = inputs.connectionLogs
    ? `CASE WHEN file_id IN (SELECT file_id FROM ingested_files WHERE format IN (${CONNECTION_LOG_FORMATS_SQL})) THEN file_id ELSE 0 END`
    : '0';
  const notMiddlebox = inputs.middleboxes
    ? `AND coalesce(pkt_src_addr, src_addr) NOT IN (SELECT addr FROM fh_middleboxes)
          AND coalesce(pkt_dst_addr, dst_addr) NOT IN (SELECT addr FROM fh_middleboxes)`
    : '';
  const loFirst = 's < d OR (s = d AND sp <= dp)';
  return d.createTableAs(
    'fh_connection_pairs',
    `WITH raw AS (
      SELECT coalesce(pkt_src_addr, src_addr) AS s, coalesce(pkt_dst_addr, dst_addr) AS d,
        coalesce(src_port, 0) AS sp, coalesce(dst_port, 0) AS dp, coalesce(protocol, -1) AS protocol,
        start_time, end_time, coalesce(packets, 0) AS packets, coalesce(bytes, 0) AS bytes,
        action, tcp_flags, coalesce(interface_id, '') AS iface, pkt_dst_aws_service, line,
        ${sessionFile} AS session_file
      FROM flows
      WHERE coalesce(pkt_src_addr, src_addr) IS NOT NULL AND coalesce(pkt_dst_addr, dst_addr) IS NOT NULL
        ${notMiddlebox}
    ),
    rec AS (
      SELECT CASE WHEN ${loFirst} THEN s ELSE d END AS lo, CASE WHEN ${loFirst} THEN sp ELSE dp END AS lo_port,
        CASE WHEN ${loFirst} THEN d ELSE s END AS hi, CASE WHEN ${loFirst} THEN dp ELSE sp END AS hi_port,
        CASE WHEN ${loFirst} THEN 1 ELSE 0 END AS from_lo,
        protocol, session_file, CASE WHEN session_file = 0 THEN 0 ELSE line END AS session_line,
        start_time, end_time, packets, bytes, ${d.hash64('iface')} AS iface, pkt_dst_aws_service,
        (${flagBits}) * (CASE WHEN ${loFirst} THEN 1 ELSE ${HI_SHIFT} END) AS flag_bits,
        CASE WHEN ${bareSyn(d)} THEN 1 ELSE 0 END AS syn
      FROM raw
    ),
    grouped AS (
      SELECT ${KEY},
        ${[...sideCols('lo'), ...sideCols('hi')].join(',\n        ')},
        ${d.bitOrAggregate('flag_bits')} AS flag_bits
      FROM rec GROUP BY ${KEY}
    )
    SELECT ${KEY}, ${[...passed('lo'), ...passed('hi'), ...derived('lo'), ...derived('hi')].join(',\n      ')}
    FROM grouped`,
  );
}

/** The columns the statement computes after the `conn` step; conn's own are passed on in declared order. */
const COMPUTED_LAST = new Set([
  'failed',
  'client_internal',
  'server_internal',
  'server_aws_service',
  'server_aws_region',
]);
const CONN_COLUMNS = CONNECTION_COLUMNS.filter((c) => !COMPUTED_LAST.has(c.name))
  .map((c) => c.name)
  .join(', ');

/**
 * `attempts` (see the top of this file) from each side's facts, `side(who, name)` picking the
 * client's (c) or the server's (s).
 */
function attemptsSql(side: (who: 'c' | 's', name: string) => string): string {
  const windows = `coalesce(${side('c', 'windows')}, 0)`;
  const unanswered = `CASE WHEN ${side('s', 'records')} = 0 THEN ${windows} ELSE 0 END`;
  // with flags a TCP window is an attempt when it opens: the SYN says so whether or not a reply came
  const flagsKnown = `coalesce(${side('c', 'flags_known')}, 0) = 1`;
  return `CASE WHEN protocol IN (1, 58) THEN greatest(1, ${windows})
          WHEN protocol = 6 AND ${flagsKnown} THEN greatest(1, coalesce(${side('c', 'syn_windows')}, 0))
          ELSE greatest(1, ${unanswered}) END`;
}

/** fh_connections from fh_connection_pairs: each connection oriented (orientation.ts), its facts named. */
function orientedSql(d: Dialect): string {
  const { loIsClient, orientation } = initiatorColumns();
  // c_ = the client's side, s_ = the server's side
  const side = (who: 'c' | 's', name: string) =>
    who === 'c'
      ? `CASE WHEN lo_is_client = 1 THEN lo_${name} ELSE hi_${name} END`
      : `CASE WHEN lo_is_client = 1 THEN hi_${name} ELSE lo_${name} END`;
  const zero = (expr: string) => `coalesce(${expr}, 0)`;
  // a fact of both sides together, from the one side that sent anything when only one did
  const both = (combine: 'least' | 'greatest', name: string) =>
    `CASE WHEN lo_records = 0 THEN hi_${name} WHEN hi_records = 0 THEN lo_${name} ELSE ${combine}(lo_${name}, hi_${name}) END`;
  const end = (alias: string, side: 'lo' | 'hi') =>
    `${alias}.end_addr = p.${side} AND ${alias}.end_port = p.${side}_port AND ${alias}.end_protocol = p.protocol`;
  return d.createTableAs(
    'fh_connections',
    `WITH popular AS (
      SELECT p.*, coalesce(lp.clients, 0) AS lo_clients, coalesce(hp.clients, 0) AS hi_clients,
        coalesce(la.internal, 0) AS lo_internal, coalesce(ha.internal, 0) AS hi_internal,
        la.aws_service AS lo_range_service, ha.aws_service AS hi_range_service,
        la.aws_region AS lo_range_region, ha.aws_region AS hi_range_region
      FROM fh_connection_pairs p
      LEFT JOIN fh_endpoint_clients lp ON ${end('lp', 'lo')}
      LEFT JOIN fh_endpoint_clients hp ON ${end('hp', 'hi')}
      LEFT JOIN fh_address_facts la ON la.addr = p.lo
      LEFT JOIN fh_address_facts ha ON ha.addr = p.hi
    ),
    oriented AS (
      SELECT *, ${loIsClient} AS lo_is_client FROM popular
    ),
    conn AS (
      SELECT
        CASE WHEN lo_is_client = 1 THEN lo ELSE hi END AS client,
        CASE WHEN lo_is_client = 1 THEN lo_port ELSE hi_port END AS client_port,
        CASE WHEN lo_is_client = 1 THEN hi ELSE lo END AS server,
        CASE WHEN lo_is_client = 1 THEN hi_port ELSE lo_port END AS server_port,
        protocol,
        ${both('least', 't0')} AS first_seen,
        ${both('greatest', 't1')} AS last_seen,
        lo_records + hi_records AS records,
        ${attemptsSql(side)} AS attempts,
        ${zero(side('c', 'packets'))} AS out_packets, ${zero(side('c', 'bytes'))} AS out_bytes,
        ${zero(side('s', 'packets'))} AS in_packets, ${zero(side('s', 'bytes'))} AS in_bytes,
        ${zero(side('c', 'syn'))} AS client_syn, ${zero(side('s', 'synack'))} AS server_synack,
        ${zero(side('c', 'rst'))} AS client_rst, ${zero(side('s', 'rst'))} AS server_rst,
        greatest(${zero('lo_fin')}, ${zero('hi_fin')}) AS fin,
        greatest(${zero('lo_flags_known')}, ${zero('hi_flags_known')}) AS flags_known,
        ${zero(side('c', 'accepted'))} AS client_accepted, ${zero(side('c', 'rejected'))} AS client_rejected,
        ${zero(side('s', 'rejected'))} AS server_rejected,
        greatest(${zero('lo_action_known')}, ${zero('hi_action_known')}) AS action_known,
        ${side('c', 'aws_service')} AS logged_aws_service,
        greatest(lo_interfaces, hi_interfaces) AS interfaces,
        ${orientation} AS orientation, ${zero(side('c', 'records'))} AS client_records,
        ${side('c', 'internal')} AS client_internal, ${side('s', 'internal')} AS server_internal,
        ${side('s', 'range_service')} AS range_service, ${side('s', 'range_region')} AS server_aws_region
      FROM oriented
    )
    SELECT ${CONN_COLUMNS},
      CASE
        WHEN client_rejected = 1 AND client_accepted = 0 THEN 1
        WHEN in_packets = 0 THEN 1
        WHEN protocol = 6 AND flags_known = 1 THEN
          CASE WHEN server_synack = 1 THEN 0 WHEN server_rst = 1 THEN 1 WHEN client_syn = 1 THEN 1 ELSE 0 END
        WHEN client_records = 0 THEN 0
        WHEN protocol = 6 AND in_packets <= 2 AND in_bytes <= 64 * in_packets THEN 1
        ELSE 0 END AS failed,
      client_internal, server_internal,
      coalesce(logged_aws_service, range_service) AS server_aws_service, server_aws_region
    FROM conn`,
  );
}

/** Which way a connection runs relative to the monitored networks, as SQL over fh_connections. */
export const DIRECTION_SQL = `CASE
  WHEN client_internal = 1 AND server_internal = 1 THEN 'internal'
  WHEN client_internal = 0 AND server_internal = 1 THEN 'inbound'
  WHEN client_internal = 1 AND server_internal = 0 THEN 'outbound'
  ELSE 'external' END`;
