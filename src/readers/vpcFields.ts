/**
 * The AWS VPC Flow Logs field catalogue (AWS VPC User Guide, "Flow log records", available fields).
 *
 * `kind` says how the text value is validated and converted; `column` is the canonical flows column it
 * fills. Parquet deliveries use the same names with '_' instead of '-'.
 */

export type VpcFieldKind = 'int' | 'string' | 'addr' | 'time' | 'action' | 'status';

export interface VpcField {
  readonly name: string;
  /** flow log version that introduced the field; undefined where AWS gives none */
  readonly version?: number;
  readonly column: string;
  readonly kind: VpcFieldKind;
}

const f = (name: string, version: number | undefined, column: string, kind: VpcFieldKind): VpcField =>
  version === undefined ? { name, column, kind } : { name, version, column, kind };

export const VPC_FIELDS: readonly VpcField[] = [
  f('version', 2, 'version', 'int'),
  f('account-id', 2, 'account_id', 'string'),
  f('interface-id', 2, 'interface_id', 'string'),
  f('srcaddr', 2, 'src_addr', 'addr'),
  f('dstaddr', 2, 'dst_addr', 'addr'),
  f('srcport', 2, 'src_port', 'int'),
  f('dstport', 2, 'dst_port', 'int'),
  f('protocol', 2, 'protocol', 'int'),
  f('packets', 2, 'packets', 'int'),
  f('bytes', 2, 'bytes', 'int'),
  f('start', 2, 'start_time', 'time'),
  f('end', 2, 'end_time', 'time'),
  f('action', 2, 'action', 'action'),
  f('log-status', 2, 'log_status', 'status'),
  f('vpc-id', 3, 'vpc_id', 'string'),
  f('subnet-id', 3, 'subnet_id', 'string'),
  f('instance-id', 3, 'instance_id', 'string'),
  f('tcp-flags', 3, 'tcp_flags', 'int'),
  f('type', 3, 'ip_type', 'string'),
  f('pkt-srcaddr', 3, 'pkt_src_addr', 'addr'),
  f('pkt-dstaddr', 3, 'pkt_dst_addr', 'addr'),
  f('region', 4, 'region', 'string'),
  f('az-id', 4, 'az_id', 'string'),
  f('sublocation-type', 4, 'sublocation_type', 'string'),
  f('sublocation-id', 4, 'sublocation_id', 'string'),
  f('pkt-src-aws-service', 5, 'pkt_src_aws_service', 'string'),
  f('pkt-dst-aws-service', 5, 'pkt_dst_aws_service', 'string'),
  f('flow-direction', 5, 'flow_direction', 'string'),
  f('traffic-path', 5, 'traffic_path', 'int'),
  f('ecs-cluster-arn', 7, 'ecs_cluster_arn', 'string'),
  f('ecs-cluster-name', 7, 'ecs_cluster_name', 'string'),
  f('ecs-container-instance-arn', 7, 'ecs_container_instance_arn', 'string'),
  f('ecs-container-instance-id', 7, 'ecs_container_instance_id', 'string'),
  f('ecs-container-id', 7, 'ecs_container_id', 'string'),
  f('ecs-second-container-id', 7, 'ecs_second_container_id', 'string'),
  f('ecs-service-name', 7, 'ecs_service_name', 'string'),
  f('ecs-task-definition-arn', 7, 'ecs_task_definition_arn', 'string'),
  f('ecs-task-arn', 7, 'ecs_task_arn', 'string'),
  f('ecs-task-id', 7, 'ecs_task_id', 'string'),
  f('reject-reason', 8, 'reject_reason', 'string'),
  f('resource-id', undefined, 'resource_id', 'string'),
  f('encryption-status', undefined, 'encryption_status', 'int'),
];

const BY_NAME = new Map(VPC_FIELDS.map((field) => [field.name, field]));

/** Looks a field up by its text-format name or its Parquet/Athena name (underscores). */
export function vpcField(name: string): VpcField | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(name.replaceAll('_', '-'));
}

/** The default (version 2) format: what CloudWatch Logs and headerless files carry. */
export const DEFAULT_V2_FIELDS: readonly string[] = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** Largest value accepted for each integer field; anything above is a malformed record. */
export const INT_FIELD_MAX: Readonly<Record<string, number>> = {
  version: 255,
  srcport: 65535,
  dstport: 65535,
  protocol: 255,
  'tcp-flags': 255,
  'traffic-path': 255,
  'encryption-status': 255,
  packets: Number.MAX_SAFE_INTEGER,
  bytes: Number.MAX_SAFE_INTEGER,
};
