import { type Direction, type Severity, severityRank } from '../../finding.js';
import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, portList, protocolName, round } from '../describe.js';
import { AUTH_PORTS } from '../servicePorts.js';
import { densest, duration, median, quantile } from '../timeWindows.js';

/** One client→server pair; the lists hold one entry per connection, in time order. */
interface Row {
  client: string;
  server: string;
  direction: Direction;
  protocols: number[];
  ports: number[];
  starts: number[];
  durations: number[];
  bytes: number[];
  out_packets: number[];
  /** 1 = rejected, unanswered or refused */
  failed: number[];
  /** 1 = blocked by a security group or network ACL (REJECT) */
  rejected: number[];
}

export default defineDetector({
  id: 'bruteforce',
  title: 'Password guessing (brute force)',
  description:
    'Many short sessions from one source to a login service of one host within minutes: SSH (on any port, recognised by behaviour off port 22), RDP, WinRM, FTP, telnet, SMB, mail, databases, SIP, VNC. A later session far larger or longer than the attempts is reported as a sign of success.',
  status: 'stable',
  attack: ['T1110', 'T1110.001', 'T1110.003'],
  severity: 'medium',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time', 'packets', 'bytes'],
  uses: [
    {
      field: 'tcp_flags',
      without: 'a refused or unanswered attempt is told from an answered one by packet counts only',
    },
    {
      field: 'action',
      without: 'attempts blocked by a security group look like unanswered ones (both still count as failed)',
    },
    { field: 'end_time', without: 'session length is unknown: success is judged by size alone' },
  ],
  falsePositives: [
    'git over SSH to a self-hosted Git server (CI runners, or developers behind one NAT address): allowlist the server as target on port 22',
    'scripts that run ssh, scp or rsync in a loop against one host, and configuration management without connection reuse (Ansible without ControlPersist): allowlist the management host',
    'an application that opens a new database connection per request instead of pooling, when its sessions are small and alike',
    'on a port with no login service: an internal API called without keep-alive whose calls are alike in size looks like SSH by behaviour (add the port to notLoginPorts)',
    'a client retrying a service that is down or unreachable every 30 seconds or faster, and load-balancer checks of a target that is down: failed attempts, rated low',
  ],
  references: [
    'Amazon GuardDuty UnauthorizedAccess:EC2/SSHBruteForce and RDPBruteForce (port 22/3389 only)',
    'fail2ban defaults: 5 failures within 10 minutes (maxretry, findtime)',
    'Zeek policy/protocols/ssh/detect-bruteforcing (30 failed logins in 30 minutes); Flowmon SSHDICT (20 attempts)',
    'Hellemons, Hendriks, Hofstede, Sperotto, Sadre, Pras: SSHCure, a flow-based SSH intrusion detection system (AIMS 2012): brute-force phase of alike flows, then a compromise flow that breaks the pattern',
  ],
  params: {
    authPorts: param(
      AUTH_PORTS,
      'port list',
      'login services where each connection is a login attempt (SSH, RDP, WinRM, FTP, telnet, SMB, mail, databases, SIP, VNC)',
    ),
    protocols: param([6, 17], 'protocol numbers', 'TCP, and UDP for SIP registration guessing on 5060'),
    minAttempts: param(
      10,
      'connections',
      'fail2ban bans after 5 failures in 10 minutes; a flow log cannot see whether a login failed, so twice that in half the time: more than a person retyping a password and more than a check every minute',
    ),
    window: param(
      300,
      'seconds',
      'guessing tools make many attempts a minute and slow bots a few; a check every minute gives at most 5 per window, and AWS start times can lag by up to 60 s, so much shorter windows would measure the logging',
    ),
    minLoginPackets: param(
      5,
      'packets client→server',
      'an answered TCP connection is an attempt only if the client sent a credential: handshake, request and close take at least 5 packets, a connect-and-close health check 3 or 4',
    ),
    maxAttemptBytes: param(
      20_000,
      'bytes, both directions',
      'a rejected login exchanges a few KB (an SSH key exchange and password prompts 5-10 KB with headers, an RDP/CredSSP refusal 10-15 KB, SMB and database logins less); sessions that do work exceed it',
    ),
    notLoginPorts: param(
      [25, 53, 80, 443, 465, 587, 8080, 8443],
      'port list',
      'web, mail and DNS: clients rightly open many short alike sessions to them, so they are never read as SSH by behaviour',
    ),
    minShapedAttempts: param(
      20,
      'connections',
      'on a port with no login service the shape of the sessions is the only evidence, so twice minAttempts (Flowmon SSHDICT uses 20)',
    ),
    shapeMinPackets: param(
      10,
      'packets client→server',
      'a failed SSH login sends banner, key exchange and one to six password prompts (10-40 packets); a single HTTP request or health check sends about 5',
    ),
    shapeMaxPackets: param(
      60,
      'packets client→server',
      'more than this is a session that did something, not a login',
    ),
    maxSizeSpread: param(
      1.5,
      'ratio, 3rd to 1st quartile of session bytes',
      'one tool repeating one login differs only by password length and prompt count; application calls vary with their payloads. Required whenever most attempts were answered (on login ports too: an app opening a database connection per request is not guessing)',
    ),
    successFactor: param(
      3,
      'times the typical attempt',
      'attempts of one tool stay within 1.5× of each other; a later answered session 3× larger or longer did more than fail a login',
    ),
    successMinSeconds: param(
      600,
      'seconds',
      'VPC start and end times can each be a minute off, so only a session longer than 10 minutes is reliably longer than an attempt',
    ),
  },

  feature: (p, { dialect: d, direction }) => `
    WITH conn AS (
      SELECT client, server, protocol, server_port, client_port, first_seen,
        coalesce(last_seen - first_seen, 0) AS duration, out_bytes + in_bytes AS bytes, out_packets, failed,
        CASE WHEN client_rejected = 1 AND client_accepted = 0 THEN 1 ELSE 0 END AS rejected,
        ${direction} AS direction,
        CASE WHEN server_port IN (${sqlIntList(p.authPorts)}) THEN 1 ELSE 0 END AS login_port,
        CASE WHEN failed = 0 AND out_packets BETWEEN ${sqlNumber(p.shapeMinPackets)} AND ${sqlNumber(p.shapeMaxPackets)}
          THEN 1 ELSE 0 END AS shaped
      FROM fh_connections
      WHERE client <> server AND protocol IN (${sqlIntList(p.protocols)})
        AND (server_port IN (${sqlIntList(p.authPorts)})
          OR (protocol = 6 AND server_port NOT IN (${sqlIntList(p.notLoginPorts)})))
    ),
    services AS (
      SELECT client, server, protocol, server_port FROM conn
      GROUP BY client, server, protocol, server_port
      HAVING (max(login_port) = 1 AND count(*) >= ${sqlNumber(p.minAttempts)})
        OR (max(login_port) = 0 AND sum(shaped) >= ${sqlNumber(p.minShapedAttempts)})
    ),
    picked AS (
      SELECT conn.*, row_number() OVER (
          PARTITION BY conn.client, conn.server
          ORDER BY conn.first_seen, conn.protocol, conn.server_port, conn.client_port) AS seq
      FROM conn JOIN services ON services.client = conn.client AND services.server = conn.server
        AND services.protocol = conn.protocol AND services.server_port = conn.server_port
    )
    SELECT client, server, max(direction) AS direction,
      ${d.orderedList('protocol', 'seq')} AS protocols, ${d.orderedList('server_port', 'seq')} AS ports,
      ${d.orderedList('first_seen', 'seq')} AS starts, ${d.orderedList('duration', 'seq')} AS durations,
      ${d.orderedList('bytes', 'seq')} AS bytes, ${d.orderedList('out_packets', 'seq')} AS out_packets,
      ${d.orderedList('failed', 'seq')} AS failed, ${d.orderedList('rejected', 'seq')} AS rejected
    FROM picked
    GROUP BY client, server`,

  score: (row: Row, p) => {
    const verdicts = services(row)
      .map((service) => judge(service, p))
      .filter((v): v is Verdict => v !== undefined);
    const ours = row.direction === 'outbound' || row.direction === 'internal';
    const rated = verdicts
      .map((v) => ({ ...v, severity: severityOf(v, ours) }))
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.peak.count - a.peak.count);
    const main = rated[0];
    if (!main) return undefined;
    const others = rated.slice(1);
    const attempts = rated.reduce((sum, v) => sum + v.attempts.length, 0);
    const service = serviceName(main.protocol, main.port, main.byPort);
    const answered = main.attempts.filter((a) => !a.failed).length;
    // From the internet, attempts that never reached a login prompt guessed nothing: the probe
    // detector reports them as repeated probing. From our own hosts they matter either way.
    if (!ours && answered === 0) return undefined;
    const blocked = main.attempts.filter((a) => a.rejected).length;
    const outcome =
      answered > 0
        ? `${count(answered)} answered, typically ${count(main.typicalBytes)} bytes`
        : blocked === main.attempts.length
          ? 'all blocked by a security group or network ACL'
          : `none got through (refused or unanswered${blocked > 0 ? `, ${count(blocked)} blocked` : ''})`;
    const how = main.byPort
      ? ''
      : `; no login service is registered on that port, but ${shapeWords(main, p)}`;
    const s = main.success;
    const success = s
      ? `; then an answered session of ${count(s.bytes)} bytes (${round(s.sizeFactor, 1)}× the typical attempt) lasting ${duration(s.duration)}${s.lengthFactor > 0 ? ` (${round(s.lengthFactor, 1)}× as long)` : ''}, past the threshold of ${p.successFactor}×: the guessing may have succeeded`
      : '';
    const more =
      others.length > 0
        ? `; also guessing on ${others.map((v) => serviceName(v.protocol, v.port, v.byPort)).join(', ')}`
        : '';
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: row.direction,
      severity: main.severity,
      confidence: (main.byPort ? 0.8 : 0.55) - (answered === 0 ? 0.2 : 0) + (main.success ? 0.1 : 0),
      firstSeen: Math.min(...rated.map((v) => v.firstSeen)),
      lastSeen: Math.max(...rated.map((v) => v.lastSeen)),
      count: attempts,
      explanation: `${row.client} made ${count(main.attempts.length)} short ${service} connections to ${row.server}, ${count(main.peak.count)} of them within ${duration(main.peak.to - main.peak.from)} (threshold ${main.byPort ? p.minAttempts : p.minShapedAttempts} within ${duration(p.window)})${how}; ${outcome}${success}${more}.`,
      subScores: {
        intensity: round(logShare(main.peak.count, 1000)),
        answeredShare: round(answered / main.attempts.length),
        alike: round(main.spread > 0 ? Math.min(1, 1 / main.spread) : 0),
        success: main.success ? 1 : 0,
      },
      metrics: {
        attempts: main.attempts.length,
        peakAttempts: main.peak.count,
        peakSeconds: round(main.peak.to - main.peak.from),
        answered,
        blocked,
        typicalBytes: round(main.typicalBytes),
        port: main.port,
        protocol: protocolName(main.protocol),
        recognisedBy: main.byPort ? 'port' : 'behaviour',
        ...(s
          ? {
              successBytes: s.bytes,
              successSeconds: round(s.duration),
              successSizeFactor: round(s.sizeFactor, 1),
              successLengthFactor: round(s.lengthFactor, 1),
            }
          : {}),
        ...(others.length > 0 ? { otherPorts: portList(others.map((v) => v.port)) } : {}),
      },
      evidence: {
        client: row.client,
        server: row.server,
        serverPorts: rated.map((v) => v.port),
        ...(rated.every((v) => v.protocol === main.protocol) ? { protocol: main.protocol } : {}),
      },
    };
  },
});

// ——— internal helpers ———

type Params = {
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

interface Conn {
  start: number;
  duration: number;
  bytes: number;
  outPackets: number;
  failed: boolean;
  rejected: boolean;
}

interface Service {
  protocol: number;
  port: number;
  conns: Conn[];
}

interface Verdict {
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

const SERVICE_NAMES: Record<number, string> = {
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

const serviceName = (protocol: number, port: number, byPort = true) =>
  `${byPort ? (SERVICE_NAMES[port] ?? 'login service') : 'SSH-like'} (${protocolName(protocol)} ${port})`;

/** Splits the pair's connections by service (protocol and port), keeping time order. */
function services(row: Row): Service[] {
  const byKey = new Map<string, Service>();
  row.starts.forEach((start, i) => {
    const protocol = row.protocols[i] ?? 0;
    const port = row.ports[i] ?? 0;
    const key = `${protocol}/${port}`;
    const service = byKey.get(key) ?? { protocol, port, conns: [] };
    byKey.set(key, service);
    service.conns.push({
      start,
      duration: row.durations[i] ?? 0,
      bytes: row.bytes[i] ?? 0,
      outPackets: row.out_packets[i] ?? 0,
      failed: row.failed[i] === 1,
      rejected: row.rejected[i] === 1,
    });
  });
  return [...byKey.values()];
}

/** Whether one service of the pair was guessed at, and how it went. */
function judge(service: Service, p: Params): Verdict | undefined {
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
function sessionAfter(
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
function severityOf(v: Verdict, ours: boolean): Severity {
  if (!v.attempts.some((a) => !a.failed)) return 'low';
  return ours || v.success ? 'high' : 'medium';
}

function shapeWords(v: Verdict, p: Params): string {
  return `the sessions are alike as in password guessing: ${p.shapeMinPackets}-${p.shapeMaxPackets} client packets each, sizes within ${round(v.spread, 2)}× of each other (threshold ${p.maxSizeSpread}×)`;
}

function quartileRatio(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const q1 = quantile(values, 0.25);
  return q1 > 0 ? quantile(values, 0.75) / q1 : Number.POSITIVE_INFINITY;
}
