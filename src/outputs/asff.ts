import { isIP } from 'node:net';
import type { Finding, Severity } from '../finding.js';
import { jsonArray, mapped } from './jsonPieces.js';
import { type ScanReport, shownFindings } from './scanReport.js';

/**
 * AWS Security Finding Format (Security Hub `BatchImportFindings`), as one JSON array. Account and
 * region come from the finding's evidence records (the flow records' own fields, else their S3 path);
 * findings whose records carry neither get "unknown" and are reported as such, since Security Hub
 * needs both to accept them.
 */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

const LABEL: Record<Severity, string> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

/** ASFF finding types (namespace/category/classifier) per detector. */
const TYPES: Record<string, string> = {
  portscan: 'TTPs/Discovery/Network Service Discovery',
  portsweep: 'TTPs/Discovery/Network Service Discovery',
  pingsweep: 'TTPs/Discovery/Remote System Discovery',
  probe: 'TTPs/Discovery/Active Scanning',
  bruteforce: 'TTPs/Credential Access/Brute Force',
  exposure: 'Software and Configuration Checks/Network Reachability/Exposed Service',
  lateral: 'TTPs/Lateral Movement/Remote Services',
  beacon: 'TTPs/Command and Control/Application Layer Protocol',
  longconn: 'Unusual Behaviors/Network Flow/Long Connection',
  threatintel: 'Effects/Data Exposure/Threat Intelligence Match',
  dos: 'Effects/Denial of Service/Outbound',
  flood: 'Effects/Denial of Service/Inbound',
  exfil: 'Effects/Data Exfiltration/Large Upload',
  mining: 'Effects/Resource Consumption/Cryptocurrency Mining',
  spam: 'Effects/Resource Consumption/Spam',
  resolver: 'Unusual Behaviors/Network Flow/Unsanctioned DNS Resolver',
  unusualport: 'Unusual Behaviors/Network Flow/Unusual Port',
  loghealth: 'Software and Configuration Checks/Logging/Flow Log Coverage',
};

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function* renderAsff(report: ScanReport): Generator<string> {
  yield* jsonArray(
    mapped(shownFindings(report), (f) => asffFinding(f, report)),
    0,
  );
  yield '\n';
}

export function asffFinding(f: Finding, report: Pick<ScanReport, 'version' | 'generatedAt'>) {
  const account = f.evidence.find((r) => r.accountId)?.accountId ?? 'unknown';
  const region = f.evidence.find((r) => r.region)?.region ?? 'unknown';
  const interfaces = [...new Set(f.evidence.map((r) => r.interfaceId).filter((id): id is string => !!id))];
  const ports = [...new Set(f.evidence.map((r) => r.dstPort).filter((p): p is number => p !== null))];
  const protocols = [...new Set(f.evidence.map((r) => r.protocol).filter((p): p is number => p !== null))];
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `flowhawk/${f.detector}/${f.id}`,
    ProductArn: `arn:aws:securityhub:${region}:${account}:product/${account}/default`,
    ProductName: 'flowhawk',
    CompanyName: 'flowhawk',
    GeneratorId: `flowhawk-${f.detector}`,
    AwsAccountId: account,
    Region: region,
    Types: [TYPES[f.detector] ?? 'Unusual Behaviors/Network Flow'],
    FirstObservedAt: iso(f.firstSeen),
    LastObservedAt: iso(f.lastSeen),
    CreatedAt: report.generatedAt,
    UpdatedAt: report.generatedAt,
    Severity: { Label: LABEL[f.severity], Original: f.severity },
    Confidence: Math.round(f.confidence * 100),
    Title: `${f.title}: ${f.actor}${f.target ? ` → ${f.target}` : ''}`.slice(0, 256),
    Description: f.explanation.slice(0, 1024),
    Resources:
      interfaces.length > 0
        ? interfaces.slice(0, 32).map((id) => ({ Type: 'AwsEc2NetworkInterface', Id: id, Region: region }))
        : [{ Type: 'Other', Id: f.actor, Region: region }],
    ...(isIP(f.actor) ? { Network: network(f, ports, protocols) } : {}),
    ProductFields: {
      'flowhawk/Version': report.version,
      'flowhawk/Detector': f.detector,
      'flowhawk/Direction': f.direction,
      'flowhawk/Count': String(f.count),
      'flowhawk/Attack': f.attack.join(' '),
      ...(f.evidence[0] ? { 'flowhawk/Evidence': `${f.evidence[0].file}:${f.evidence[0].line}` } : {}),
    },
    Workflow: { Status: f.suppressed ? 'SUPPRESSED' : 'NEW' },
    RecordState: 'ACTIVE',
  };
}

function network(f: Finding, ports: readonly number[], protocols: readonly number[]) {
  const family = (address: string) => (isIP(address) === 6 ? 'V6' : 'V4');
  return {
    Direction: f.direction === 'inbound' ? 'IN' : 'OUT',
    [`SourceIp${family(f.actor)}`]: f.actor,
    ...(f.target && isIP(f.target) ? { [`DestinationIp${family(f.target)}`]: f.target } : {}),
    ...(ports.length === 1 ? { DestinationPort: ports[0] } : {}),
    ...(protocols.length === 1
      ? { Protocol: PROTOCOLS[protocols[0] as number] ?? String(protocols[0]) }
      : {}),
  };
}

const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPV6' };
