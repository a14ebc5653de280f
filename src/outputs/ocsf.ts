import type { Finding, Severity } from '../finding.js';
import { ipFamily } from '../net/addresses.js';
import { type ScanReport, shownFindings } from '../report.js';
import { defineOutput } from './defineOutput.js';
import { jsonArrayOfLines, mapped } from './jsonPieces.js';
import { ocsfEvidences, ocsfObservables } from './ocsfEvidence.js';

/**
 * OCSF Detection Finding (class 2004, OCSF 1.3.0) for each finding, as one JSON array with one event per
 * line, valid against the
 * 1.3.0 schema (see test/ocsfSchema.test.ts): the endpoints in evidences (ocsfEvidence.ts), our hosts
 * and interfaces in resources, every address in observables, flowhawk's own facts under unmapped.
 * The mapping, with an example per detector family, is docs/ocsf.md.
 */
export const OCSF_VERSION = '1.3.0';

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };

export function* renderOcsf(report: ScanReport): Generator<string> {
  yield* jsonArrayOfLines(mapped(shownFindings(report), (f) => ocsfFinding(f, report.version)));
  yield '\n';
}

const ms = (seconds: number) => Math.round(seconds * 1000);

export function ocsfFinding(f: Finding, version: string) {
  const account = f.evidence.find((r) => r.accountId)?.accountId;
  const region = f.evidence.find((r) => r.region)?.region ?? undefined;
  const resources = ocsfResources(f, region);
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    time: ms(f.lastSeen),
    start_time: ms(f.firstSeen),
    end_time: ms(f.lastSeen),
    severity_id: SEVERITY_ID[f.severity],
    severity: f.severity === 'info' ? 'Informational' : capitalise(f.severity),
    confidence_id: CONFIDENCE(f.confidence).id,
    confidence: CONFIDENCE(f.confidence).caption,
    confidence_score: Math.round(f.confidence * 100),
    status_id: f.suppressed ? 3 : 1,
    status: f.suppressed ? 'Suppressed' : 'New',
    message: f.explanation,
    count: f.count,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'flowhawk', vendor_name: 'flowhawk', version },
      uid: f.id,
      // the cloud profile: the account and region the flow records came from (AWS's own fields)
      ...(account ? { profiles: ['cloud'] } : {}),
    },
    ...(account
      ? {
          cloud: {
            provider: 'AWS',
            ...(region ? { region } : {}),
            account: { uid: account, type_id: 10, type: 'AWS Account' },
          },
        }
      : {}),
    finding_info: {
      uid: f.id,
      title: f.title,
      desc: f.explanation,
      types: [f.detector],
      analytic: { uid: f.detector, name: f.title, type_id: 1, type: 'Rule' },
      attacks: f.attack.map(ocsfAttack),
      first_seen_time: ms(f.firstSeen),
      last_seen_time: ms(f.lastSeen),
    },
    evidences: ocsfEvidences(f),
    ...(resources.length > 0 ? { resources } : {}),
    observables: ocsfObservables(f),
    unmapped: {
      detector: f.detector,
      direction: f.direction,
      actor: f.actor,
      target: f.target,
      target_count: f.targetCount,
      sub_scores: f.subScores,
      metrics: f.metrics,
      limitations: f.limitations,
      ...(f.suppressed ? { suppressed_reason: f.suppressed.reason } : {}),
      ...(f.sources ? { sources: f.sources } : {}),
    },
  };
}

function CONFIDENCE(confidence: number): { id: number; caption: string } {
  return confidence >= 0.8
    ? { id: 3, caption: 'High' }
    : confidence >= 0.5
      ? { id: 2, caption: 'Medium' }
      : { id: 1, caption: 'Low' };
}

/** "T1498.001" is a sub-technique of T1498: OCSF 1.3.0 names both. */
function ocsfAttack(uid: string) {
  const [technique] = uid.split('.');
  return {
    technique: { uid: technique },
    ...(uid.includes('.') ? { sub_technique: { uid } } : {}),
    version: ATTACK_VERSION,
  };
}

/**
 * The affected resources: our hosts among the finding's ends (the target of inbound traffic, the
 * actor of outbound, both of internal), the interfaces that logged its records, or the interface a
 * log-health finding is about.
 */
function ocsfResources(f: Finding, region: string | undefined) {
  const where = region ? { region } : {};
  const ours: string[] = [];
  if (!ipFamily(f.actor)) ours.push(f.actor);
  else if (f.direction === 'outbound' || f.direction === 'internal') ours.push(f.actor);
  if (f.target && (f.direction === 'inbound' || f.direction === 'internal')) ours.push(f.target);
  const interfaces = [...new Set(f.evidence.map((r) => r.interfaceId).filter((id): id is string => !!id))];
  return [...new Set([...ours, ...interfaces])]
    .slice(0, MAX_RESOURCES)
    .map((uid) => ({ uid, name: uid, type: resourceType(uid), ...where }));
}

/** Resources listed per finding: the records' interfaces can be many; the evidence names the rest */
const MAX_RESOURCES = 32;

/** The ATT&CK release the technique ids are taken from. */
const ATTACK_VERSION = '15.1';

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** AWS resource type of an id flowhawk can name: an interface, an instance, else a host address. */
const resourceType = (id: string) =>
  id.startsWith('eni-')
    ? 'AWS::EC2::NetworkInterface'
    : id.startsWith('i-')
      ? 'AWS::EC2::Instance'
      : ipFamily(id)
        ? 'IP Address'
        : 'Other';

export const ocsfOutput = defineOutput({
  id: 'ocsf',
  describe: 'OCSF 1.3 Detection Findings (class 2004), evidences as Network Activity fragments',
  contentType: 'application/json',
  extension: 'ocsf.json',
  render: renderOcsf,
});
