import ipaddr from 'ipaddr.js';

/**
 * A scenario's address plan: how the loopback addresses a capture used map onto a realistic VPC, which
 * of them are instances with a flow-logged network interface (ENI), and what each one's security
 * group lets in. Loopback gives every tool a 127.x address; the plan turns 127.0.0.10 into your
 * instance 10.0.1.10 on eni-…, and 127.0.0.66 into an internet host (a documentation address), so that
 * flowhawk's internalNetworks see a VPC and the internet.
 */
export interface Plan {
  accountId: string;
  region: string;
  azId: string;
  vpcId: string;
  /** the VPC's CIDRs: egress to them is traffic-path 1 (same VPC), to anything else 8 (internet gateway) */
  vpcCidrs: string[];
  /** AWS's maximum aggregation interval: 60 or 600 seconds */
  intervalSeconds: number;
  /** the log format: the custom version-5 one with every field the converter knows (default), or AWS's default v2 (no tcp-flags, no direction) */
  format?: 'v5' | 'v2';
  /** instances whose ENI is flow-logged */
  hosts: PlannedHost[];
  /** other loopback addresses and what they stand for (internet hosts, unlogged internal ones) */
  others?: Record<string, string>;
}

export interface PlannedHost {
  /** the loopback address the capture used for it */
  loopback: string;
  address: string;
  eni: string;
  instance: string;
  subnet: string;
  /** the security group's inbound rules; outbound is open, as a default security group's is */
  inbound: InboundRule[];
  /**
   * what the capture shows leaving this address was forged elsewhere (a spoofed flood's source):
   * the host never sent it, so its interface does not log it; only what comes back to it is logged
   */
  forged?: boolean;
}

export interface InboundRule {
  protocol: 'tcp' | 'udp' | 'icmp' | 'all';
  /** ports or [from, to] ranges; absent = all ports of the protocol */
  ports?: (number | [number, number])[];
  /** sources allowed (CIDRs); absent = anywhere */
  from?: string[];
}

const PROTOCOL_NUMBER = { tcp: 6, udp: 17, icmp: 1, all: -1 } as const;

/** Whether a security group with these inbound rules admits a new packet (protocol, source, port). */
export function admits(
  rules: readonly InboundRule[],
  protocol: number,
  src: string,
  dstPort: number,
): boolean {
  return rules.some((rule) => {
    const number = PROTOCOL_NUMBER[rule.protocol];
    if (number !== -1 && number !== protocol && !(rule.protocol === 'icmp' && protocol === 58)) return false;
    if (rule.from && !rule.from.some((cidr) => inCidr(src, cidr))) return false;
    if (!rule.ports || rule.protocol === 'icmp' || rule.protocol === 'all') return true;
    return rule.ports.some((p) => (Array.isArray(p) ? dstPort >= p[0] && dstPort <= p[1] : dstPort === p));
  });
}

export function inCidr(address: string, cidr: string): boolean {
  try {
    const parsed = ipaddr.parse(address);
    const range = ipaddr.parseCIDR(cidr);
    return parsed.kind() === range[0].kind() && parsed.match(range);
  } catch {
    return false;
  }
}

/** Checks a plan read from JSON; returns it typed, or throws saying what is wrong. */
export function checkPlan(value: unknown): Plan {
  const plan = value as Plan;
  const fail = (why: string) => {
    throw new Error(`plan: ${why}`);
  };
  if (typeof plan !== 'object' || plan === null) fail('not an object');
  for (const key of ['accountId', 'region', 'azId', 'vpcId'] as const) {
    if (typeof plan[key] !== 'string') fail(`${key} must be a string`);
  }
  if (plan.intervalSeconds !== 60 && plan.intervalSeconds !== 600) fail('intervalSeconds must be 60 or 600');
  if (plan.format !== undefined && plan.format !== 'v5' && plan.format !== 'v2')
    fail('format must be v5 or v2');
  if (!Array.isArray(plan.vpcCidrs) || plan.vpcCidrs.some((c) => !ipaddr.isValidCIDR(c))) {
    fail('vpcCidrs must be a list of CIDRs');
  }
  if (!Array.isArray(plan.hosts) || plan.hosts.length === 0) fail('hosts must list at least one instance');
  const seen = new Set<string>();
  for (const host of plan.hosts) {
    for (const key of ['loopback', 'address', 'eni', 'instance', 'subnet'] as const) {
      if (typeof host[key] !== 'string') fail(`hosts[].${key} must be a string`);
    }
    if (!ipaddr.isValid(host.address)) fail(`${host.address} is not an address`);
    if (!Array.isArray(host.inbound)) fail(`${host.loopback}: inbound must be a list of rules`);
    if (seen.has(host.loopback)) fail(`${host.loopback} is planned twice`);
    seen.add(host.loopback);
  }
  for (const [loopback, address] of Object.entries(plan.others ?? {})) {
    if (seen.has(loopback)) fail(`${loopback} is both a host and another address`);
    if (!ipaddr.isValid(address)) fail(`${address} (for ${loopback}) is not an address`);
  }
  return plan;
}
