import type { AllowlistEntry } from '../config/config.js';
import type { EvidenceKey } from '../detectors/define.js';
import type { Direction, Suppression } from '../finding.js';
import { cidrRange, inRange, type NumericRange } from '../net/addresses.js';

/** What the allowlist looks at in a finding. */
export interface Suppressible {
  detector: string;
  actor: string;
  target: string | null;
  direction: Direction;
  evidence: EvidenceKey;
  /** a many-sender finding's sources: as actors, they match only when every one of them does */
  sources?: readonly { actor: string }[];
}

/**
 * The allowlist, applied to findings after scoring: editing it and re-running on a workspace
 * re-analyses the stored flows without re-reading any file. Every given condition must hold.
 */
export class Allowlist {
  private readonly entries: readonly (AllowlistEntry & { ranges: NumericRange[] })[];

  constructor(entries: readonly AllowlistEntry[]) {
    this.entries = entries.map((entry, index) => ({
      ...entry,
      ranges: (entry.cidr ?? []).map((cidr) => cidrRange(cidr, `allowlist[${index}].cidr`)),
    }));
  }

  /** The first entry that matches, or undefined. */
  match(finding: Suppressible): Suppression | undefined {
    for (const [rule, entry] of this.entries.entries()) {
      if (entry.detector && !entry.detector.includes(finding.detector)) continue;
      if (entry.direction && entry.direction !== finding.direction) continue;
      if (entry.port) {
        const ports = finding.evidence.serverPorts ?? [];
        if (!ports.some((port) => entry.port?.includes(port))) continue;
      }
      if (entry.interface) {
        const ends = [finding.actor, finding.target];
        if (!ends.some((end) => end !== null && entry.interface?.includes(end))) continue;
      }
      if (entry.ranges.length > 0) {
        const role = entry.role ?? 'either';
        const listed = (host: string) => entry.ranges.some((range) => inRange(host, range));
        // the busiest of a flood's sources stands for them all only if all of them are allowed
        const actors = finding.sources ? finding.sources.map((s) => s.actor) : [finding.actor];
        const actorListed = actors.length > 0 && actors.every(listed);
        const targetListed = finding.target !== null && listed(finding.target);
        if (!((role !== 'target' && actorListed) || (role !== 'actor' && targetListed))) continue;
      }
      return { reason: entry.reason, rule };
    }
    return undefined;
  }
}
