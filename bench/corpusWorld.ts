/**
 * The synthetic estate the bench corpus describes: two accounts, two regions, six VPC flow logs with
 * different record formats and S3 layouts, about 50 network interfaces with roles, and the outside
 * address pools (internet peers, clients, scanners, AWS service endpoints) they talk to.
 *
 * Everything is derived from the seed, so the same seed always gives the same estate.
 */
import { Prng } from './prng.js';

export type FormatName = 'v2' | 'v5' | 'v5-noaction';

/** Field lists exactly as they appear in the header line of each delivered file. */
export const FORMAT_FIELDS: Readonly<Record<FormatName, string>> = {
  v2: 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  v5:
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action ' +
    'log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id ' +
    'pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path',
  'v5-noaction':
    'account-id version interface-id srcaddr srcport dstaddr dstport protocol packets bytes start end tcp-flags ' +
    'type flow-direction traffic-path',
};

export type Role = 'nat' | 'web' | 'app' | 'db' | 'cache' | 'bastion' | 'batch';

export interface Eni {
  readonly id: string;
  readonly role: Role;
  readonly ip4: string;
  /** only some internet-facing interfaces are dual-stack */
  readonly ip6: string | undefined;
  readonly subnetId: string;
  /** '-' for interfaces that belong to no instance (NAT gateway) */
  readonly instanceId: string;
  readonly azId: string;
}

export interface FlowLog {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly format: FormatName;
  /** Hive-compatible S3 prefixes (aws-account-id=...) instead of the plain layout */
  readonly hive: boolean;
  /** typical records per 5-minute file: flow logs differ a lot in volume */
  readonly rate: number;
  readonly vpcId: string;
  readonly enis: readonly Eni[];
  readonly byRole: Readonly<Record<Role, readonly Eni[]>>;
  readonly s3: readonly string[];
  readonly dynamodb: readonly string[];
}

export interface World {
  readonly flowLogs: readonly FlowLog[];
  /** servers the estate calls out to; low indexes are the popular ones */
  readonly peers4: readonly string[];
  readonly clients4: readonly string[];
  readonly clients6: readonly string[];
  readonly scanners4: readonly string[];
  readonly scanners6: readonly string[];
}

const ACCOUNTS = ['123456789012', '210987654321'];

interface FlowLogSpec {
  account: number;
  region: string;
  format: FormatName;
  hive: boolean;
  rate: number;
  enis: number;
}

const FLOW_LOGS: readonly FlowLogSpec[] = [
  { account: 0, region: 'us-east-1', format: 'v2', hive: false, rate: 12000, enis: 10 },
  { account: 0, region: 'us-east-1', format: 'v5', hive: true, rate: 6000, enis: 9 },
  { account: 0, region: 'eu-west-1', format: 'v5-noaction', hive: false, rate: 4000, enis: 8 },
  { account: 1, region: 'us-east-1', format: 'v2', hive: false, rate: 9000, enis: 8 },
  { account: 1, region: 'eu-west-1', format: 'v5', hive: true, rate: 3000, enis: 8 },
  { account: 1, region: 'eu-west-1', format: 'v5-noaction', hive: true, rate: 2500, enis: 7 },
];

// The first seven roles are in every VPC so every kind of traffic has its endpoints.
const ROLE_ORDER: readonly Role[] = [
  'nat',
  'web',
  'app',
  'db',
  'cache',
  'bastion',
  'batch',
  'web',
  'app',
  'app',
];

// Real prefixes (first three octets ranges) of S3 and DynamoDB in each region, from ip-ranges.json.
const SERVICE_PREFIXES: Readonly<Record<string, { s3: number[][]; dynamodb: number[][] }>> = {
  'us-east-1': {
    s3: [
      [52, 216, 0, 255],
      [54, 231, 0, 255],
      [3, 5, 0, 31],
    ],
    dynamodb: [
      [52, 94, 0, 3],
      [3, 218, 180, 183],
    ],
  },
  'eu-west-1': {
    s3: [
      [52, 218, 0, 127],
      [3, 5, 64, 71],
    ],
    dynamodb: [[52, 119, 240, 247]],
  },
};

const ipFrom = (p: number[], rng: Prng): string =>
  `${p[0]}.${p[1]}.${rng.range(p[2] ?? 0, p[3] ?? 255)}.${rng.range(1, 254)}`;

/** A routable public IPv4 address: none of the private, shared, loopback, link-local or multicast ranges. */
export function publicIp4(rng: Prng): string {
  for (;;) {
    const a = rng.range(1, 223);
    const b = rng.int(256);
    if (a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254)) continue;
    if ((a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)))
      continue;
    return `${a}.${b}.${rng.int(256)}.${rng.range(1, 254)}`;
  }
}

const V6_PREFIXES = [
  '2a01:4f8',
  '2a02:c7f',
  '2001:4860',
  '2606:4700',
  '2604:a880',
  '2a00:1450',
  '2003:e8',
  '2601:18c',
];
const hextet = (rng: Prng): string => rng.int(0x10000).toString(16);

function publicIp6(rng: Prng): string {
  return `${rng.pick(V6_PREFIXES)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}`;
}

const pool = (n: number, make: () => string): string[] => Array.from({ length: n }, make);

function makeFlowLog(spec: FlowLogSpec, index: number, rng: Prng): FlowLog {
  const second = 16 * (index + 1); // each VPC gets its own 10.<n>.0.0/16
  const v6Prefix = `2600:1f18:${rng.hex(4)}:${rng.hex(2)}`; // the VPC's /56
  const azBase = spec.region === 'us-east-1' ? 'use1' : 'euw1';
  const subnets = [0, 1, 2].map((n) => ({ id: `subnet-0${rng.hex(16)}`, third: n * 16 + rng.int(16) }));
  const enis: Eni[] = [];
  for (let i = 0; i < spec.enis; i++) {
    const role = ROLE_ORDER[i] as Role;
    const subnetIndex = role === 'nat' || role === 'web' || role === 'bastion' ? 0 : 1 + (i % 2);
    const subnet = subnets[subnetIndex] ?? subnets[0];
    if (subnet === undefined) throw new Error('no subnet');
    enis.push({
      id: `eni-0${rng.hex(16)}`,
      role,
      ip4: `10.${second}.${subnet.third}.${rng.range(4, 250)}`,
      ip6:
        role === 'web' && rng.chance(0.7)
          ? `${v6Prefix}0${subnetIndex}:${rng.hex(4)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}`
          : undefined,
      subnetId: subnet.id,
      instanceId: role === 'nat' ? '-' : `i-0${rng.hex(16)}`,
      azId: `${azBase}-az${1 + subnetIndex}`,
    });
  }
  const byRole = Object.fromEntries(ROLE_ORDER.map((r) => [r, enis.filter((e) => e.role === r)])) as Record<
    Role,
    Eni[]
  >;
  const prefixes = SERVICE_PREFIXES[spec.region] ?? SERVICE_PREFIXES['us-east-1'];
  if (prefixes === undefined) throw new Error(`no service prefixes for ${spec.region}`);
  return {
    id: `fl-0${rng.hex(16)}`,
    account: ACCOUNTS[spec.account] ?? '',
    region: spec.region,
    format: spec.format,
    hive: spec.hive,
    rate: spec.rate,
    vpcId: `vpc-0${rng.hex(16)}`,
    enis,
    byRole,
    s3: pool(64, () => ipFrom(rng.pick(prefixes.s3), rng)),
    dynamodb: pool(16, () => ipFrom(rng.pick(prefixes.dynamodb), rng)),
  };
}

export function makeWorld(seed: number): World {
  const rng = new Prng(seed, 0x776f726c); // 'worl': keeps the estate stream apart from the file streams
  return {
    flowLogs: FLOW_LOGS.map((spec, i) => makeFlowLog(spec, i, rng)),
    peers4: pool(3000, () => publicIp4(rng)),
    clients4: pool(20000, () => publicIp4(rng)),
    clients6: pool(3000, () => publicIp6(rng)),
    scanners4: pool(600, () => publicIp4(rng)),
    scanners6: pool(40, () => publicIp6(rng)),
  };
}
