/**
 * A finding: what a detector concluded, about whom, how sure, and the flow records that prove it.
 *
 * Findings are aggregated like GuardDuty's: one per (detector, actor, target), with a count and
 * first/last seen, never one alert per record. Outputs read only this shape.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** Which way the finding's traffic crosses the boundary of the monitored networks. */
export type Direction = 'inbound' | 'outbound' | 'internal' | 'external';

/** One flow record shown as proof, with where it came from. */
export interface EvidenceRecord {
  file: string;
  line: number;
  start: number | null;
  end: number | null;
  srcAddr: string | null;
  srcPort: number | null;
  dstAddr: string | null;
  dstPort: number | null;
  protocol: number | null;
  packets: number | null;
  bytes: number | null;
  action: string | null;
  tcpFlags: number | null;
  interfaceId: string | null;
  flowDirection: string | null;
  /** AWS account and region of the record (from the record, else its S3 path) */
  accountId: string | null;
  region: string | null;
  /** NODATA or SKIPDATA for a log-status record (the proof of a coverage finding); null for a flow */
  logStatus: string | null;
}

export interface Suppression {
  /** the allowlist entry's reason, shown with --show-suppressed */
  reason: string;
  /** index of the entry in the config's allowlist (0-based) */
  rule: number;
}

export interface Finding {
  /** stable across runs on the same data: a hash of detector, actor and target */
  id: string;
  detector: string;
  title: string;
  severity: Severity;
  /** 0-1: how sure the detector is, lowered when fields it uses are missing */
  confidence: number;
  /** the host that acts (scanner, attacker, beaconing host) */
  actor: string;
  /** the host acted upon, when there is exactly one */
  target: string | null;
  /** how many distinct targets (hosts) were involved */
  targetCount: number;
  direction: Direction;
  /** ATT&CK technique ids */
  attack: readonly string[];
  /** Unix seconds */
  firstSeen: number;
  lastSeen: number;
  /** connections (or records, when the detector says so) behind the finding */
  count: number;
  /** one sentence with the observed values and the threshold crossed */
  explanation: string;
  /** 0-1 components of the score, named */
  subScores: Record<string, number>;
  /** the observed values the explanation quotes, for machines */
  metrics: Record<string, number | string>;
  /** what the detector could not check for lack of fields, and what that costs */
  limitations: readonly string[];
  evidence: readonly EvidenceRecord[];
  suppressed?: Suppression;
  /**
   * every source of the finding's traffic, busiest or most severe first; the finding's actor is the
   * first of them. Two kinds of finding have them: a roll-up of internet background noise (each
   * source as its own finding would have described it: severity, confidence, id) and a finding with
   * many senders by nature (the sources of a flood, the internet clients of an exposed service: each
   * with the packets and bytes it sent). Counts and times of the finding cover them all.
   */
  sources?: readonly FindingSource[];
  /** who holds the actor's and the target's address, when offline data knows (internet addresses) */
  actorOwner?: AddressOwner;
  targetOwner?: AddressOwner;
}

/** Who holds an internet address, from the offline data named in the report (see docs/outputs.md, Enrichment data). */
export interface AddressOwner {
  /** inside a range AWS publishes for one of its services (region GLOBAL for the edge services) */
  aws?: { service: string; region: string; networkBorderGroup?: string };
  /** autonomous system: number and holder's name */
  asn?: number;
  asOrg?: string;
  /** ISO 3166-1 alpha-2 country code */
  country?: string;
}

/** One source of a finding's traffic (see Finding.sources). */
export interface FindingSource {
  actor: string;
  /** connections from this source */
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** what it sent (sources of a many-sender finding) */
  packets?: number;
  bytes?: number;
  owner?: AddressOwner;
  /** its own finding's severity, confidence and id (members of a roll-up) */
  severity?: Severity;
  confidence?: number;
  id?: string;
}
