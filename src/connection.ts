/**
 * The connections table, `fh_connections`: one row per connection (a 5-tuple over the analysed span,
 * both directions paired, the initiator decided), built by engine/connections.ts from the flows. Most
 * detectors read only this. The list is the declaration the SQL is checked against (connection.test.ts),
 * and the names are literal types, so a card's SQL helpers can be typed against them.
 */

export interface ConnectionColumn<Name extends string = string> {
  readonly name: Name;
  /** DuckDB's type of the column as the statement produces it */
  readonly duckdb: string;
  readonly meaning: string;
}

const col = <Name extends string>(name: Name, duckdb: string, meaning: string): ConnectionColumn<Name> => ({
  name,
  duckdb,
  meaning,
});

export const CONNECTION_COLUMNS = [
  col('client', 'VARCHAR', 'the initiator (pkt-srcaddr / pkt-dstaddr when logged, else the logged address)'),
  col('client_port', 'INTEGER', "the initiator's port (0 for ICMP)"),
  col('server', 'VARCHAR', 'the responder'),
  col('server_port', 'INTEGER', "the responder's port (for ICMP, 0)"),
  col('protocol', 'SMALLINT', 'IANA protocol number'),
  col('first_seen', 'DOUBLE', 'first record start, Unix seconds'),
  col('last_seen', 'DOUBLE', 'last record end, Unix seconds'),
  col('records', 'BIGINT', 'flow records of both directions, on every interface that logged them'),
  col(
    'attempts',
    'DOUBLE',
    "aggregation windows of the client's that were attempts: ICMP every one; TCP with flags each new SYN; else each the server never answered (at least 1)",
  ),
  col('out_packets', 'DOUBLE', 'packets the client sent (largest interface total, so counted once)'),
  col('out_bytes', 'DOUBLE', 'bytes the client sent'),
  col('in_packets', 'DOUBLE', 'packets the server sent back'),
  col('in_bytes', 'DOUBLE', 'bytes the server sent back'),
  col('client_syn', 'INTEGER', '1: the client sent a bare SYN'),
  col('server_synack', 'INTEGER', '1: the server answered SYN-ACK'),
  col('client_rst', 'INTEGER', '1: the client sent a RST'),
  col('server_rst', 'INTEGER', '1: the server sent a RST'),
  col('fin', 'INTEGER', '1: either side sent a FIN'),
  col('flags_known', 'INTEGER', '1: the records carry tcp-flags'),
  col('client_accepted', 'INTEGER', "1: some of the client's records were ACCEPT"),
  col('client_rejected', 'INTEGER', "1: some of the client's records were REJECT"),
  col('server_rejected', 'INTEGER', "1: some of the server's records were REJECT"),
  col('action_known', 'INTEGER', '1: the records carry action'),
  col('logged_aws_service', 'VARCHAR', "pkt-dst-aws-service of the client's records, as logged"),
  col('interfaces', 'INTEGER', 'interfaces that logged the connection'),
  col(
    'orientation',
    'VARCHAR',
    'the rule that chose the client (engine/orientation.ts, in this order): flags, reply (the only side that sent answered from a service or multicast-discovery port), one-sided, service (a well-known port), popularity (a port many clients share), ephemeral (OS ranges), reset (a side that only sent RSTs) or order (which side started first)',
  ),
  col('failed', 'INTEGER', '1: the server never answered with data (see engine/connections.ts)'),
  col('client_internal', 'INTEGER', '1: the client is inside the monitored networks'),
  col('server_internal', 'INTEGER', '1: the server is inside the monitored networks'),
  col(
    'server_aws_service',
    'VARCHAR',
    'logged_aws_service, else the service of the AWS range holding the server',
  ),
  col('server_aws_region', 'VARCHAR', 'the region of the AWS range holding the server'),
] as const;

export type ConnectionColumnName = (typeof CONNECTION_COLUMNS)[number]['name'];

/**
 * SQL, 1 or 0: a TCP connection (or one window of it) whose client never sent data: at most 3
 * header-sized packets (80 bytes: an IPv6 SYN with options), a bare SYN among them when flags are
 * logged. VPC logs report ACK only with SYN, so a SYN without ACK does not tell a half-open connection
 * from a completed one; the absence of data does. Each argument names the column (or expression) that
 * holds the client's figure.
 */
export function halfOpenSql(c: {
  protocol: string;
  packets: string;
  bytes: string;
  flagsKnown: string;
  syn: string;
}): string {
  return `CASE WHEN ${c.protocol} = 6 AND ${c.packets} > 0 AND ${c.packets} <= 3 AND ${c.bytes} <= 80 * ${c.packets}
          AND (${c.flagsKnown} = 0 OR ${c.syn} = 1) THEN 1 ELSE 0 END`;
}
