import type { Severity } from '../finding.js';
import { protocolName, round } from './describe.js';
import { densest, median, quantile } from './timeWindows.js';

/**
 * How the bruteforce card judges one client's connections to one service: which connections are login
 * attempts, whether they come fast enough and look alike, and whether a later session looks like a
 * success. Kept apart from the card so the card reads as metadata, SQL and scoring.
 */

export type Params = {
  authPorts: readonly number[];
  minAttempts: number;
  window: number;
  minLoginPackets: number;
  maxAttemptBytes: number;
  minShapedAttempts: number;
  shapeMinPackets: number;
  shapeMaxPackets: number;
  maxSizeSpread: number;
  successFactor: number;
  successMinSeconds: number;
};

export interface Conn {
  start: number;
  duration: number;
  bytes: number;
  outPackets: number;
  failed: boolean;
  rejected: boolean;
}

export interface Service {
  protocol: number;
  port: number;
  conns: Conn[];
}

export interface Verdict {
  protocol: number;
  port: number;
  byPort: boolean;
  attempts: Conn[];
  peak: { count: number; from: number; to: number };
  typicalBytes: number;
  /** 3rd / 1st quartile of answered attempts' bytes (1 = all alike) */
  spread: number;
  /** lengthFactor is 0 for a session shorter than successMinSeconds */
  success?: { bytes: number; duration: number; sizeFactor: number; lengthFactor: number };
  firstSeen: number;
  lastSeen: number;
}

export const SERVICE_NAMES: Record<number, string> = {
  21: 'FTP',
  22: 'SSH',
  23: 'telnet',
  110: 'POP3',
  139: 'NetBIOS/SMB',
  143: 'IMAP',
  445: 'SMB',
  993: 'IMAPS',
  995: 'POP3S',
  1433: 'SQL Server',
  1521: 'Oracle',
  2222: 'SSH',
  3306: 'MySQL',
  3389: 'RDP',
  5060: 'SIP',
  5432: 'PostgreSQL',
  5900: 'VNC',
  5985: 'WinRM',
  5986: 'WinRM',
};

export const serviceName = (protocol: number, port: number, byPort = true) =>
  `${byPort ? (SERVICE_NAMES[port] ?? 'login service') : 'SSH-like'} (${protocolName(protocol)} ${port})`;

/** Splits the pair's connections by service (protocol and port), keeping time order. */

/** Whether one service of the pair was guessed at, and how it went. */
export function judge(service: Service, p: Params): Verdict | undefined {
  const byPort = p.authPorts.includes(service.port);
  const tcp = service.protocol === 6;
  const attempts = service.conns.filter((c) =>
    byPort
      ? c.failed || ((!tcp || c.outPackets >= p.minLoginPackets) && c.bytes <= p.maxAttemptBytes)
      : !c.failed &&
        c.outPackets >= p.shapeMinPackets &&
        c.outPackets <= p.shapeMaxPackets &&
        c.bytes <= p.maxAttemptBytes,
  );
  const peak = densest(
    attempts.map((a) => a.start),
    p.window,
  );
  if (peak.count < (byPort ? p.minAttempts : p.minShapedAttempts)) return undefined;
  const answeredBytes = attempts.filter((a) => !a.failed).map((a) => a.bytes);
  const spread = quartileRatio(answeredBytes);
  // Answered sessions must look alike to be guesses; mostly failed attempts are evidence by themselves.
  const mostlyAnswered = answeredBytes.length * 2 > attempts.length;
  if ((!byPort || mostlyAnswered) && spread > p.maxSizeSpread) return undefined;
  const typicalBytes = median(answeredBytes);
  const typicalDuration = median(attempts.filter((a) => !a.failed).map((a) => a.duration));
  return {
    protocol: service.protocol,
    port: service.port,
    byPort,
    attempts,
    peak,
    typicalBytes,
    spread,
    success:
      answeredBytes.length > 0
        ? sessionAfter(service.conns, attempts, typicalBytes, typicalDuration, p)
        : undefined,
    firstSeen: service.conns[0]?.start ?? 0,
    lastSeen: service.conns.reduce((last, c) => Math.max(last, c.start + c.duration), 0),
  };
}

/**
 * The answered session, started after at least minAttempts attempts, that most exceeds the typical
 * attempt in size (or, past successMinSeconds, in length): SSHCure's compromise phase.
 */
export function sessionAfter(
  conns: Conn[],
  attempts: Conn[],
  typicalBytes: number,
  typicalDuration: number,
  p: Params,
) {
  let best: Verdict['success'];
  let before = 0; // attempts started before c (both lists are in time order)
  for (const c of conns) {
    while (before < attempts.length && (attempts[before]?.start ?? 0) < c.start) before++;
    if (c.failed || before < p.minAttempts) continue;
    const sizeFactor = typicalBytes > 0 ? c.bytes / typicalBytes : 0;
    const lengthFactor = c.duration >= p.successMinSeconds ? c.duration / Math.max(typicalDuration, 1) : 0;
    const factor = Math.max(sizeFactor, lengthFactor);
    if (factor >= p.successFactor && (!best || factor > Math.max(best.sizeFactor, best.lengthFactor))) {
      best = { bytes: c.bytes, duration: c.duration, sizeFactor, lengthFactor };
    }
  }
  return best;
}

/**
 * Nothing answered (blocked, unanswered, refused): low, whichever way it runs, since no login prompt
 * was reached and a client retrying a service that is down looks the same (CTU-13 background traffic
 * has an IMAPS client and an SSH client retrying an unreachable server every 25 s). Answered: high
 * from our own hosts (GuardDuty's "instance is performing brute force"); inbound medium, high with a
 * sign of success.
 */
export function severityOf(v: Verdict, ours: boolean): Severity {
  if (!v.attempts.some((a) => !a.failed)) return 'low';
  return ours || v.success ? 'high' : 'medium';
}

export function shapeWords(v: Verdict, p: Params): string {
  return `the sessions are alike as in password guessing: ${p.shapeMinPackets}-${p.shapeMaxPackets} client packets each, sizes within ${round(v.spread, 2)}× of each other (threshold ${p.maxSizeSpread}×)`;
}

export function quartileRatio(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const q1 = quantile(values, 0.25);
  return q1 > 0 ? quantile(values, 0.75) / q1 : Number.POSITIVE_INFINITY;
}
