import type { AddressOwner, Direction, EvidenceRecord, Finding } from '../finding.js';
import { ipFamily } from '../net/addresses.js';
import { knownProtocolName } from '../protocols.js';

/**
 * The network half of an OCSF 1.3.0 Detection Finding: its `evidences` (one that summarises the
 * finding, then the flow records), the endpoints in them, and the observables of every address.
 * Detection Finding has no endpoints of its own: in 1.3.0 they belong in evidences (objects/evidences).
 */

const ms = (seconds: number) => Math.round(seconds * 1000);

/** network_connection_info.direction_id: Inbound 1, Outbound 2, Lateral 3, Other 99. */
const DIRECTION: Record<Direction, { direction_id: number; direction: string }> = {
  inbound: { direction_id: 1, direction: 'Inbound' },
  outbound: { direction_id: 2, direction: 'Outbound' },
  internal: { direction_id: 3, direction: 'Lateral' },
  external: { direction_id: 99, direction: 'External' },
};

/** boundary_id: Internal 2, External 3; traffic between two internet hosts crosses no boundary of ours */
const BOUNDARY: Partial<Record<Direction, { boundary_id: number; boundary: string }>> = {
  inbound: { boundary_id: 3, boundary: 'External' },
  outbound: { boundary_id: 3, boundary: 'External' },
  internal: { boundary_id: 2, boundary: 'Internal' },
};

function connectionInfo(direction: Direction, protocol: number | null, address: string | null) {
  const family = address ? ipFamily(address) : 0;
  const name = protocol === null ? undefined : knownProtocolName(protocol);
  return {
    ...DIRECTION[direction],
    ...BOUNDARY[direction],
    ...(protocol !== null && protocol >= 0 ? { protocol_num: protocol } : {}),
    ...(name ? { protocol_name: name.toLowerCase() } : {}),
    ...(family === 4 || family === 6 ? { protocol_ver_id: family } : {}),
  };
}

/** An endpoint with what the offline data knows of its address (ASN, country, AWS service). */
export function ocsfEndpoint(ip: string, port: number | null | undefined, owner: AddressOwner | undefined) {
  return {
    ip,
    ...(port !== null && port !== undefined ? { port } : {}),
    ...(owner?.aws ? { svc_name: owner.aws.service } : {}),
    ...(owner?.asn !== undefined || owner?.asOrg
      ? {
          autonomous_system: {
            ...(owner.asn !== undefined ? { number: owner.asn } : {}),
            ...(owner.asOrg ? { name: owner.asOrg } : {}),
          },
        }
      : {}),
    ...(owner?.country ? { location: { country: owner.country } } : {}),
  };
}

/** The one destination port of the records sent to the target, when there is exactly one. */
function targetPort(f: Finding): number | undefined {
  const ports = new Set(f.evidence.filter((r) => r.dstAddr === f.target).map((r) => r.dstPort));
  const [port] = ports;
  return ports.size === 1 && typeof port === 'number' ? port : undefined;
}

function oneProtocol(f: Finding): number | null {
  const protocols = new Set(f.evidence.map((r) => r.protocol).filter((p) => p !== null));
  const [protocol] = protocols;
  return protocols.size === 1 && protocol !== undefined ? protocol : null;
}

/**
 * The first evidence: the finding itself, as a connection from the source of the suspicious traffic
 * (src_endpoint: the actor) to what it targeted (dst_endpoint, absent when many hosts were).
 * A finding about an interface's log (no traffic) has none: its interface is in `resources`.
 */
function summaryEvidence(f: Finding) {
  if (!ipFamily(f.actor)) return undefined;
  const target = f.target && ipFamily(f.target) ? f.target : undefined;
  return {
    src_endpoint: ocsfEndpoint(f.actor, undefined, f.actorOwner),
    ...(target ? { dst_endpoint: ocsfEndpoint(target, targetPort(f), f.targetOwner) } : {}),
    connection_info: connectionInfo(f.direction, oneProtocol(f), f.actor),
    data: {
      summary: true,
      target_count: f.targetCount,
      ...(f.sources ? { source_count: f.sources.length } : {}),
    },
  };
}

function recordEvidence(r: EvidenceRecord, direction: Direction) {
  return {
    ...(r.srcAddr
      ? { src_endpoint: { ip: r.srcAddr, ...(r.srcPort !== null ? { port: r.srcPort } : {}) } }
      : {}),
    ...(r.dstAddr
      ? { dst_endpoint: { ip: r.dstAddr, ...(r.dstPort !== null ? { port: r.dstPort } : {}) } }
      : {}),
    ...(r.srcAddr || r.dstAddr ? { connection_info: connectionInfo(direction, r.protocol, r.srcAddr) } : {}),
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
      flow_direction: r.flowDirection,
      ...(r.logStatus ? { log_status: r.logStatus } : {}),
    },
  };
}

/** The summary evidence first (when the finding is about traffic), then one per flow record. */
export function ocsfEvidences(f: Finding) {
  const summary = summaryEvidence(f);
  return [...(summary ? [summary] : []), ...f.evidence.map((r) => recordEvidence(r, f.direction))];
}

/** observable type_id of an address (IP Address, from ip_t) and of a resource id (Resource UID). */
interface ObservableType {
  type_id: number;
  type: string;
}
const IP_ADDRESS: ObservableType = { type_id: 2, type: 'IP Address' };
const RESOURCE_UID: ObservableType = { type_id: 10, type: 'Resource UID' };

/**
 * Every address the finding names (actor, target, each source, each record's ends) and every
 * interface, once per attribute path, so a consumer can match an indicator without walking the event.
 */
export function ocsfObservables(f: Finding) {
  const seen = new Set<string>();
  const out: { name: string; type_id: number; type: string; value: string }[] = [];
  const add = (name: string, value: string | null | undefined, kind: ObservableType = IP_ADDRESS) => {
    if (!value || seen.has(`${name}\u0000${value}`)) return;
    seen.add(`${name}\u0000${value}`);
    out.push({ name, ...kind, value });
  };
  const summarised = ipFamily(f.actor) ? 1 : 0;
  if (summarised) {
    add('evidences.src_endpoint.ip', f.actor);
    if (f.target && ipFamily(f.target)) add('evidences.dst_endpoint.ip', f.target);
  } else {
    add('resources.uid', f.actor, RESOURCE_UID);
  }
  for (const s of f.sources ?? []) add('unmapped.sources.actor', s.actor);
  for (const r of f.evidence) {
    add('evidences.src_endpoint.ip', r.srcAddr);
    add('evidences.dst_endpoint.ip', r.dstAddr);
    add('resources.uid', r.interfaceId, RESOURCE_UID);
  }
  return out;
}
