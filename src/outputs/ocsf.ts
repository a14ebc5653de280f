import { isIP } from 'node:net';
import type { EvidenceRecord, Finding, Severity } from '../finding.js';
import { jsonArray, mapped } from './jsonPieces.js';
import { type ScanReport, shownFindings } from './scanReport.js';

/**
 * OCSF Detection Finding (class 2004, OCSF 1.3.0) for each finding, as one JSON array. Evidence records
 * are Network Activity (4001) fragments: endpoints, connection info, and the raw facts under `data`.
 */
export const OCSF_VERSION = '1.3.0';

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };

export function* renderOcsf(report: ScanReport): Generator<string> {
  yield* jsonArray(
    mapped(shownFindings(report), (f) => ocsfFinding(f, report.version)),
    0,
  );
  yield '\n';
}

const ms = (seconds: number) => Math.round(seconds * 1000);

export function ocsfFinding(f: Finding, version: string) {
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
    severity_id: SEVERITY_ID[f.severity],
    severity: f.severity === 'info' ? 'Informational' : capitalise(f.severity),
    confidence_id: f.confidence >= 0.8 ? 3 : f.confidence >= 0.5 ? 2 : 1,
    confidence_score: Math.round(f.confidence * 100),
    status_id: f.suppressed ? 3 : 1,
    status: f.suppressed ? 'Suppressed' : 'New',
    message: f.explanation,
    count: f.count,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'flowhawk', vendor_name: 'flowhawk', version },
      uid: f.id,
    },
    finding_info: {
      uid: f.id,
      title: f.title,
      desc: f.explanation,
      types: [f.detector],
      analytic: { uid: f.detector, name: f.title, type_id: 1, type: 'Rule' },
      attacks: f.attack.map((uid) => ({ technique: { uid }, version: '15.1' })),
      first_seen_time: ms(f.firstSeen),
      last_seen_time: ms(f.lastSeen),
    },
    // an actor that is no address (an interface, for log-health findings) is the resource concerned
    ...(isIP(f.actor)
      ? { src_endpoint: { ip: f.actor } }
      : { resources: [{ uid: f.actor, type: resourceType(f.actor) }] }),
    ...(f.target && isIP(f.target) ? { dst_endpoint: { ip: f.target } } : {}),
    evidences: f.evidence.map(ocsfEvidence),
    // a roll-up of internet noise: every source as an observable (type 2, IP Address), counts unmapped
    ...(f.sources
      ? {
          observables: f.sources.map((s) => ({
            name: 'sources.actor',
            type_id: 2,
            type: 'IP Address',
            value: s.actor,
          })),
        }
      : {}),
    unmapped: {
      direction: f.direction,
      target_count: f.targetCount,
      sub_scores: f.subScores,
      metrics: f.metrics,
      limitations: f.limitations,
      ...(f.suppressed ? { suppressed_reason: f.suppressed.reason } : {}),
      ...(f.sources ? { sources: f.sources } : {}),
    },
  };
}

function ocsfEvidence(r: EvidenceRecord) {
  return {
    src_endpoint: { ip: r.srcAddr, port: r.srcPort },
    dst_endpoint: { ip: r.dstAddr, port: r.dstPort },
    connection_info: { protocol_num: r.protocol, ...(r.flowDirection ? { direction: r.flowDirection } : {}) },
    data: {
      file: r.file,
      line: r.line,
      start_time: r.start === null ? null : ms(r.start),
      end_time: r.end === null ? null : ms(r.end),
      packets: r.packets,
      bytes: r.bytes,
      action: r.action,
      tcp_flags: r.tcpFlags,
      interface_id: r.interfaceId,
      ...(r.logStatus ? { log_status: r.logStatus } : {}),
    },
  };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** AWS resource type of an id flowhawk can name without an address. */
const resourceType = (id: string) =>
  id.startsWith('eni-') ? 'AWS::EC2::NetworkInterface' : id.startsWith('i-') ? 'AWS::EC2::Instance' : 'Other';
