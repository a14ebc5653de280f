import { type EvidenceRecord, type Finding, SEVERITIES, severityRank } from '../../src/finding.js';
import type { Analysis, ScanReport } from '../../src/report.js';

/**
 * A large synthetic set of findings, built directly (no flows, no store), for testing that every
 * output stays within memory and size limits however many findings an analysis makes. Deterministic:
 * the same count gives the same findings. Shaped like a busy estate's: one detector (the port scan)
 * holds most findings, a few have chart metrics, some actors are interfaces, not addresses.
 */

const T = 1_710_115_200;

/** [detector, title, ATT&CK, share of the findings]; the shares add up to 1 */
const DETECTORS: readonly [string, string, readonly string[], number][] = [
  ['portscan', 'Vertical port scan', ['T1046', 'T1595.001'], 0.6],
  ['probe', 'Service probe', ['T1595'], 0.1],
  ['bruteforce', 'Brute force', ['T1110'], 0.1],
  ['beacon', 'Beaconing', ['T1071'], 0.1],
  ['exfil', 'Large upload', ['T1048'], 0.05],
  ['loghealth', 'Flow log coverage', [], 0.05],
];

/** The actor of finding i: unique per finding, so a test can check that each one is written. */
export function syntheticActor(i: number): string {
  if (i % 50 === 49) return `eni-${i.toString(16).padStart(17, '0')}`;
  if (i % 10 === 3) return `2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
  return `10.${(i >>> 16) & 0xff}.${(i >>> 8) & 0xff}.${i & 0xff}`;
}

function detectorOf(i: number): (typeof DETECTORS)[number] {
  const at = (i % 1000) / 1000;
  let sum = 0;
  for (const d of DETECTORS) {
    sum += d[3];
    if (at < sum) return d;
  }
  return DETECTORS[0] as (typeof DETECTORS)[number];
}

function evidence(i: number, actor: string, perFinding: number): EvidenceRecord[] {
  const records: EvidenceRecord[] = [];
  for (let k = 0; k < perFinding; k++) {
    records.push({
      file: `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/11/00/file-${i % 997}.log.gz`,
      line: 1 + i * perFinding + k,
      start: T + (i % 86_400) + k,
      end: T + (i % 86_400) + k + 60,
      srcAddr: actor.startsWith('eni-') ? null : actor,
      srcPort: 40_000 + (k % 20_000),
      dstAddr: '10.0.1.10',
      dstPort: 1 + ((i + k) % 1024),
      protocol: 6,
      packets: 1,
      bytes: 60,
      action: k % 2 === 0 ? 'REJECT' : 'ACCEPT',
      tcpFlags: 2,
      interfaceId: 'eni-0abc',
      flowDirection: 'ingress',
      accountId: '123456789012',
      region: 'us-east-1',
      logStatus: null,
    });
  }
  return records;
}

export function syntheticFinding(i: number, evidencePerFinding = 1): Finding {
  const [detector, title, attack] = detectorOf(i);
  const actor = syntheticActor(i);
  const severity = SEVERITIES[[4, 3, 3, 2, 2, 2, 1, 1, 0, 2][i % 10] as number] ?? 'medium';
  const metrics: Record<string, number | string> =
    detector === 'beacon'
      ? { intervalHistogram: '0,1,4,30,4,1,0,0,0,1', histogramBinSeconds: 12 }
      : { ports: 20 + (i % 500) };
  return {
    id: i.toString(16).padStart(16, '0'),
    detector,
    title,
    severity,
    confidence: Number((0.5 + (i % 50) / 100).toFixed(2)),
    actor,
    target: i % 4 === 0 ? null : '10.0.1.10',
    targetCount: i % 4 === 0 ? 3 + (i % 7) : 1,
    direction: 'inbound',
    attack,
    firstSeen: T + (i % 86_400),
    lastSeen: T + (i % 86_400) + 600 + (i % 3600),
    count: 20 + (i % 500),
    explanation: `${20 + (i % 500)} distinct ports on 10.0.1.10 within 10m (threshold 20), "quoted", with a comma`,
    subScores: { breadth: 0.5, rejectedShare: 1 },
    metrics,
    limitations: i % 7 === 0 ? ['no tcp_flags in the logs: a SYN scan looks like any connection'] : [],
    evidence: evidence(i, actor, evidencePerFinding),
    ...(i % 97 === 0 ? { suppressed: { reason: 'known scanner', rule: 0 } } : {}),
  };
}

/** A report of `count` findings, most severe first as the analysis orders them. */
export function syntheticReport(count: number, evidencePerFinding = 1): ScanReport {
  const findings: Finding[] = [];
  for (let i = 0; i < count; i++) findings.push(syntheticFinding(i, evidencePerFinding));
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const analysis: Analysis = {
    findings,
    detectors: DETECTORS.map(([id]) => ({
      id,
      candidates: count,
      findings: count,
      suppressed: 0,
      elapsedMs: 1,
    })),
    connections: count * 10,
    threatLists: [],
    elapsedMs: 1,
  };
  return { version: '0.1.0', generatedAt: '2024-03-12T00:00:00.000Z', analysis, showSuppressed: true };
}
