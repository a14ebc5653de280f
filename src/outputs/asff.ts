import { DETECTORS } from '../detectors/index.js';
import type { Finding, Severity } from '../finding.js';
import { ipFamily } from '../net/addresses.js';
import { knownProtocolName } from '../protocols.js';
import { type ScanReport, shownFindings } from '../report.js';
import { defineOutput } from './defineOutput.js';
import { jsonArray, mapped } from './jsonPieces.js';

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

/** The ASFF type of a detector's findings: its card's `asffType` (a generic type for an unknown id). */
const ASFF_TYPES: ReadonlyMap<string, string> = new Map(DETECTORS.map((d) => [d.id, d.asffType]));
export const asffType = (detector: string): string =>
  ASFF_TYPES.get(detector) ?? 'Unusual Behaviors/Network Flow';

/** Security Hub's limits: resources per finding, title and description lengths. */
const MAX_RESOURCES = 32;
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;

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
  const types = [asffType(f.detector)];
  const severity = { Label: LABEL[f.severity], Original: f.severity };
  const confidence = Math.round(f.confidence * 100);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `flowhawk/${f.detector}/${f.id}`,
    ProductArn: `arn:aws:securityhub:${region}:${account}:product/${account}/default`,
    ProductName: 'flowhawk',
    CompanyName: 'flowhawk',
    GeneratorId: `flowhawk-${f.detector}`,
    AwsAccountId: account,
    Region: region,
    Types: types,
    FirstObservedAt: iso(f.firstSeen),
    LastObservedAt: iso(f.lastSeen),
    CreatedAt: report.generatedAt,
    UpdatedAt: report.generatedAt,
    Severity: severity,
    Confidence: confidence,
    FindingProviderFields: { Severity: severity, Types: types, Confidence: confidence },
    Title: `${f.title}: ${f.actor}${f.target ? ` → ${f.target}` : ''}`.slice(0, MAX_TITLE),
    Description: f.explanation.slice(0, MAX_DESCRIPTION),
    Resources: asffResources(f, account, region),
    ...(ipFamily(f.actor) ? { Network: network(f) } : {}),
    ...(ipFamily(f.actor) ? { Action: networkAction(f) } : {}),
    ProductFields: {
      'flowhawk/Version': report.version,
      'flowhawk/Detector': f.detector,
      'flowhawk/Direction': f.direction,
      'flowhawk/Count': String(f.count),
      'flowhawk/TargetCount': String(f.targetCount),
      'flowhawk/Attack': f.attack.join(' '),
      ...(f.sources ? { 'flowhawk/Sources': String(f.sources.length) } : {}),
      ...(f.evidence[0] ? { 'flowhawk/Evidence': `${f.evidence[0].file}:${f.evidence[0].line}` } : {}),
    },
    Workflow: { Status: f.suppressed ? 'SUPPRESSED' : 'NEW' },
    RecordState: 'ACTIVE',
  };
}

/**
 * Our resources the finding concerns: the interfaces that logged its records (by ARN when account
 * and region are known), else our hosts among its ends, else the interface a log-health finding names.
 */
function asffResources(f: Finding, account: string, region: string) {
  const known = account !== 'unknown' && region !== 'unknown';
  const interfaceResource = (id: string) => ({
    Type: 'AwsEc2NetworkInterface',
    Id: known ? `arn:aws:ec2:${region}:${account}:network-interface/${id}` : id,
    Region: region,
    Details: { Other: { InterfaceId: id } },
  });
  const interfaces = [...new Set(f.evidence.map((r) => r.interfaceId).filter((id): id is string => !!id))];
  if (!ipFamily(f.actor) && f.actor.startsWith('eni-')) interfaces.unshift(f.actor);
  const ours = ourHosts(f).map((ip) => ({ Type: 'Other', Id: ip, Region: region }));
  const resources = [...new Set(interfaces)].map(interfaceResource);
  const all = [...ours, ...resources];
  return (all.length > 0 ? all : [{ Type: 'Other', Id: f.actor, Region: region }]).slice(0, MAX_RESOURCES);
}

/** The finding's ends inside the monitored networks: the target of inbound traffic, the actor of outbound. */
function ourHosts(f: Finding): string[] {
  const hosts: string[] = [];
  if (ipFamily(f.actor) && (f.direction === 'outbound' || f.direction === 'internal')) hosts.push(f.actor);
  if (f.target && ipFamily(f.target) && (f.direction === 'inbound' || f.direction === 'internal'))
    hosts.push(f.target);
  return hosts;
}

const family = (address: string) => (ipFamily(address) === 6 ? 'V6' : 'V4');

function distinct<T>(values: readonly (T | null)[]): T[] {
  return [...new Set(values.filter((v): v is T => v !== null))];
}

/** Network: the actor is the source of the suspicious traffic, the target its destination. */
function network(f: Finding) {
  const toTarget = f.evidence.filter((r) => !f.target || r.dstAddr === f.target);
  const ports = distinct(toTarget.map((r) => r.dstPort));
  const protocols = distinct(f.evidence.map((r) => r.protocol));
  return {
    Direction: f.direction === 'inbound' ? 'IN' : 'OUT',
    [`SourceIp${family(f.actor)}`]: f.actor,
    ...(f.target && ipFamily(f.target) ? { [`DestinationIp${family(f.target)}`]: f.target } : {}),
    ...(ports.length === 1 ? { DestinationPort: ports[0] } : {}),
    ...(protocols.length === 1 ? { Protocol: asffProtocol(protocols[0] as number) } : {}),
  };
}

/**
 * Action: the connection as GuardDuty reports one (NETWORK_CONNECTION), with the remote end's
 * owner where the offline data knows it. The remote end is the internet side: the actor of inbound
 * traffic, the target of outbound.
 */
function networkAction(f: Finding) {
  const inbound = f.direction === 'inbound';
  const remote = inbound ? f.actor : f.target;
  const owner = inbound ? f.actorOwner : f.targetOwner;
  const port = network(f).DestinationPort;
  const protocols = distinct(f.evidence.map((r) => r.protocol));
  return {
    ActionType: 'NETWORK_CONNECTION',
    NetworkConnectionAction: {
      ConnectionDirection: inbound ? 'INBOUND' : 'OUTBOUND',
      ...(remote && ipFamily(remote)
        ? {
            RemoteIpDetails: {
              [`IpAddress${family(remote)}`]: remote,
              ...(owner?.asn !== undefined || owner?.asOrg
                ? {
                    Organization: {
                      ...(owner.asn !== undefined ? { Asn: owner.asn } : {}),
                      ...(owner.asOrg ? { AsnOrg: owner.asOrg } : {}),
                    },
                  }
                : {}),
              ...(owner?.country ? { Country: { CountryCode: owner.country } } : {}),
            },
          }
        : {}),
      ...(typeof port === 'number'
        ? { [inbound ? 'LocalPortDetails' : 'RemotePortDetails']: { Port: port } }
        : {}),
      ...(protocols.length === 1 ? { Protocol: asffProtocol(protocols[0] as number) } : {}),
      Blocked: f.evidence.length > 0 && f.evidence.every((r) => r.action === 'REJECT'),
    },
  };
}

/** Protocol as ASFF writes it: "TCP", "ICMPV6", else the number. */
const asffProtocol = (protocol: number) => knownProtocolName(protocol)?.toUpperCase() ?? String(protocol);

export const asffOutput = defineOutput({
  id: 'asff',
  describe: 'AWS Security Finding Format for Security Hub BatchImportFindings',
  contentType: 'application/json',
  extension: 'asff.json',
  render: renderAsff,
});
