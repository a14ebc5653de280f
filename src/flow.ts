/**
 * The canonical flows table: one row per flow record, whatever the input format.
 *
 * Every reader normalises into these columns, every detector reads only these columns, and the DDL
 * for each store (DuckDB, ClickHouse) is derived from this one list, so the schema cannot drift
 * between engines or between code and docs.
 */

export interface ColumnDef<Name extends string = string> {
  readonly name: Name;
  readonly duckdb: string;
  readonly clickhouse: string;
  readonly meaning: string;
}

// generic in the name, so that the lists below keep each column's name as a literal type
const col = <Name extends string>(
  name: Name,
  duckdb: string,
  clickhouse: string,
  meaning: string,
): ColumnDef<Name> => ({
  name,
  duckdb,
  clickhouse,
  meaning,
});

const str = <Name extends string>(name: Name, meaning: string) =>
  col(name, 'VARCHAR', 'Nullable(String)', meaning);
export const FLOW_COLUMNS = [
  col('file_id', 'INTEGER', 'UInt32', 'the ingested file the record came from (ingested_files.file_id)'),
  col('line', 'BIGINT', 'UInt64', '1-based line of the record in its file (record index for Parquet/JSON)'),
  col('version', 'SMALLINT', 'Nullable(Int16)', 'flow log format version'),
  str('account_id', 'AWS account that owns the interface (from the record, else the S3 path)'),
  str('region', 'AWS region (from the record, else the S3 path or file name)'),
  str('interface_id', 'network interface the record was captured on'),
  str('vpc_id', 'VPC of the interface'),
  str('subnet_id', 'subnet of the interface'),
  str('instance_id', 'instance attached to the interface'),
  str('az_id', 'availability zone id'),
  str('sublocation_type', 'wavelength | outpost | localzone'),
  str('sublocation_id', 'id of the sublocation'),
  str('src_addr', 'source address as logged (srcaddr)'),
  str('dst_addr', 'destination address as logged (dstaddr)'),
  str('pkt_src_addr', 'packet-level source address (pkt-srcaddr)'),
  str('pkt_dst_addr', 'packet-level destination address (pkt-dstaddr)'),
  col('src_port', 'INTEGER', 'Nullable(UInt16)', 'source port'),
  col('dst_port', 'INTEGER', 'Nullable(UInt16)', 'destination port'),
  col('protocol', 'SMALLINT', 'Nullable(UInt8)', 'IANA protocol number'),
  col('packets', 'BIGINT', 'Nullable(UInt64)', 'packets in the record'),
  col('bytes', 'BIGINT', 'Nullable(UInt64)', 'bytes in the record'),
  col('start_time', 'DOUBLE', 'Nullable(Float64)', 'first packet, Unix seconds'),
  col('end_time', 'DOUBLE', 'Nullable(Float64)', 'last packet, Unix seconds'),
  str('action', 'ACCEPT | REJECT; NULL when the format has no action (never assumed ACCEPT)'),
  col(
    'tcp_flags',
    'SMALLINT',
    'Nullable(UInt8)',
    'OR of the TCP flags seen (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32)',
  ),
  str('ip_type', 'IPv4 | IPv6 | EFA (the "type" field)'),
  str('flow_direction', 'ingress | egress, relative to the interface'),
  col('traffic_path', 'SMALLINT', 'Nullable(UInt8)', 'egress path code 1-8'),
  str('pkt_src_aws_service', 'AWS service owning the packet source address'),
  str('pkt_dst_aws_service', 'AWS service owning the packet destination address'),
  str('reject_reason', 'why the traffic was rejected (e.g. BPA)'),
  str('ecs_cluster_arn', 'ECS cluster ARN'),
  str('ecs_cluster_name', 'ECS cluster name'),
  str('ecs_container_instance_arn', 'ECS container instance ARN'),
  str('ecs_container_instance_id', 'ECS container instance id'),
  str('ecs_container_id', 'Docker id of the first container of the task'),
  str('ecs_second_container_id', 'Docker id of the second container of the task'),
  str('ecs_service_name', 'ECS service name'),
  str('ecs_task_definition_arn', 'ECS task definition ARN'),
  str('ecs_task_arn', 'ECS task ARN'),
  str('ecs_task_id', 'ECS task id'),
  str('resource_id', 'resource the record is about (e.g. a regional NAT gateway)'),
  col('encryption_status', 'SMALLINT', 'Nullable(UInt8)', 'VPC encryption status code'),
] as const;

/** A column of the flows table: a typo in a card's `requires` or `uses` is a compile error. */
export type FlowColumnName = (typeof FLOW_COLUMNS)[number]['name'];

/** Log-health facts: NODATA / SKIPDATA records, kept per interface and capture window, never as flows. */
export const LOG_HEALTH_COLUMNS: readonly ColumnDef[] = [
  col('file_id', 'INTEGER', 'UInt32', 'ingested file'),
  col('line', 'BIGINT', 'UInt64', '1-based line'),
  str('account_id', 'AWS account'),
  str('region', 'AWS region'),
  str('interface_id', 'network interface'),
  col('start_time', 'DOUBLE', 'Nullable(Float64)', 'capture window start, Unix seconds'),
  col('end_time', 'DOUBLE', 'Nullable(Float64)', 'capture window end, Unix seconds'),
  str('status', 'NODATA (no traffic in the window) | SKIPDATA (records were lost)'),
];

/**
 * Every address seen in any address column, with its numeric form for CIDR matching.
 *
 * Kept beside the flows rather than in them: converting text to a 128-bit number costs far more per row
 * than the rest of ingest, and a capture has orders of magnitude fewer distinct addresses than records.
 * IPv4 is mapped into ::ffff:0:0/96 so one range test serves both families.
 */
export const ADDRESS_COLUMNS: readonly ColumnDef[] = [
  col('addr', 'VARCHAR', 'String', 'address text exactly as it appears in the flows columns'),
  col('ip', 'UHUGEINT', 'UInt128', '128-bit value (IPv4 as ::ffff:a.b.c.d)'),
  col('family', 'TINYINT', 'UInt8', '4 or 6'),
];
