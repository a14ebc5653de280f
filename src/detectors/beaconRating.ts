import type { Severity } from '../finding.js';
import type { BeaconScore } from './beaconScore.js';
import { count, round } from './describe.js';
import { duration } from './timeWindows.js';

/**
 * How the beacon card (c2/beacon.ts) turns a pair's beacon score into a verdict and a severity. It
 * lives here, beside beaconScore.ts, because every .ts file in a group folder is a card.
 *
 * Three rules, tried in order; the first that holds decides:
 * - persistent: the pair called for at least minSpan and its score (persistence over the capture)
 *   reaches mediumScore: medium, high from highScore.
 * - short: answered check-ins, at least minStrongCheckIns of them, whose regularity (the score with
 *   persistence taken within the pair's own span) reaches strongRegularity: low, medium from
 *   manyCheckIns. A bot calling every 10 s for half an hour of an 8-hour capture has persistence 0.1
 *   over the capture and sinks under mediumScore, yet never missed a beat while it ran.
 * - retries: fewer than minConnections calls were answered (a dead or sinkholed C2 server), and the
 *   attempts, at least minFailedAttempts of them over minFailedSpan, keep a timer as regular as a
 *   short beacon's: low.
 */

export type BeaconRule = 'persistent' | 'short' | 'retries';

export interface RuleParams {
  minConnections: number;
  minSpan: number;
  mediumScore: number;
  highScore: number;
  minStrongCheckIns: number;
  strongRegularity: number;
  manyCheckIns: number;
  minFailedAttempts: number;
  minFailedSpan: number;
}

/** The rule a scored series meets and the severity it starts from, before rate()'s adjustments. */
export function judge(
  s: BeaconScore,
  unanswered: boolean,
  p: RuleParams,
): { rule: BeaconRule; severity: Severity; note?: string } | undefined {
  const first = s.starts[0] ?? 0;
  const span = (s.starts[s.starts.length - 1] ?? first) - first;
  if (s.checkIns >= p.minConnections && span >= p.minSpan && s.score >= p.mediumScore) {
    return { rule: 'persistent', severity: s.score >= p.highScore ? 'high' : 'medium' };
  }
  const regular = s.regularity >= p.strongRegularity;
  const shape = `regularity ${round(s.regularity)} over its own ${duration(span)}, strong from ${p.strongRegularity}`;
  if (!unanswered && regular && s.checkIns >= p.minStrongCheckIns) {
    const many = s.checkIns >= p.manyCheckIns;
    const brief =
      span < p.minSpan ? `called for under ${duration(p.minSpan)}` : 'a small part of the capture';
    return {
      rule: 'short',
      severity: many ? 'medium' : 'low',
      note: `${brief} but strongly regular (${shape}): ${many ? 'medium' : 'low'}, with ${many ? '' : 'fewer than '}${count(p.manyCheckIns)} check-ins`,
    };
  }
  if (unanswered && regular && s.checkIns >= p.minFailedAttempts && span >= p.minFailedSpan) {
    return {
      rule: 'retries',
      severity: 'low',
      note: `failed calls on a timer (${shape}): a host retrying a dead or sinkholed server, or a service that is down: low`,
    };
  }
  return undefined;
}

export interface Facts {
  rule: BeaconRule;
  severity: Severity;
  inbound: boolean;
  unanswered: boolean;
  attempts: number;
  answered: number;
  /** every port of the series is a web port */
  web: boolean;
  /** internal hosts calling the server; internal hosts reaching the internet */
  clients: number;
  population: number;
  endpoint: string | undefined;
}

/**
 * Severity from judge()'s, then, each saying so:
 * - unanswered, on the persistent rule: one level lower (high → medium, medium → low). The host keeps
 *   calling, but nothing was exchanged, and a client retrying a dead service looks the same. (The
 *   retries rule starts at low already.)
 * - an AWS endpoint (S3, the regional APIs): info whatever the score.
 * - outbound on web ports: low, unless the server is rare (called by at most maxRareShare of at least
 *   minPopulation internal hosts). Vendors' agents poll there on timers; an implant's server is called
 *   by the infected host alone, a vendor's by the fleet.
 * - inbound on web ports: low. A web service you expose is called on timers by uptime monitors, API
 *   clients and webhooks of others, and how many internet clients it has says nothing of which is one.
 * - the short rule, inbound or on web ports: low. A short regular inbound series is mostly a login
 *   brute force (to a login service beacon leaves it to bruteforce altogether) or a crawler; a browser tab polling its page (chats, dashboards)
 *   for minutes is one user's, so its server is rare by nature (CTU-13: a host polled a web server
 *   every 2 s, 474 times, regularity 1). Only an outbound short beacon off the web ports is raised,
 *   and only when its server is not known to be common (called by more than maxRareShare of at least
 *   minPopulation internal hosts: a fleet's agent on a port of its own).
 */
export function rate(
  f: Facts,
  p: { minPopulation: number; maxRareShare: number },
): { severity: Severity; notes: string[] } {
  const notes: string[] = [];
  let severity = f.severity;
  if (f.unanswered && f.rule === 'persistent') {
    severity = severity === 'high' ? 'medium' : 'low';
    const few = f.answered === 0 ? 'none' : `only ${count(f.answered)}`;
    notes.push(
      `${few} of ${count(f.attempts)} attempts answered (a dead or sinkholed server, or a service that is down): one level lower`,
    );
  }
  if (f.endpoint) {
    notes.push(`the server is an AWS endpoint (${f.endpoint}), where agents poll all day: info`);
    return { severity: 'info', notes };
  }
  if (f.rule === 'short' && severity !== 'low' && (f.inbound || f.web)) {
    notes.push(
      f.inbound
        ? 'short and inbound, as login brute force and crawlers run: low (medium only when persistent)'
        : 'short and on a web port, where a browser tab polls its page for minutes: low (medium only when persistent)',
    );
    return { severity: 'low', notes };
  }
  if (f.web && f.inbound) {
    notes.push(
      'on a web port of your host, which uptime monitors, API clients and webhooks call on timers: low',
    );
    return { severity: 'low', notes };
  }
  const callers = `called by ${count(f.clients)} of ${count(f.population)} internal hosts`;
  const known = f.population >= p.minPopulation;
  const rare = known && f.clients <= p.maxRareShare * f.population;
  if (f.rule === 'short' && severity !== 'low' && known && !rare) {
    notes.push(`short, and the server is not rare (${callers}): a fleet's agent, low`);
    return { severity: 'low', notes };
  }
  if (f.web) {
    if (rare) notes.push(`the server is rare, ${callers}`);
    else {
      severity = 'low';
      notes.push(
        `on a web port, where vendors' agents poll on timers, and the server is not rare (${callers}; rare is at most ${round(p.maxRareShare * 100)}% of at least ${count(p.minPopulation)}): low`,
      );
    }
  }
  return { severity, notes };
}

/** An interval for a sentence: "23.1 s" under two minutes, else as duration() words. */
export const interval = (seconds: number): string =>
  seconds < 120 ? `${round(seconds, seconds < 1 ? 2 : 1)} s` : duration(seconds);
