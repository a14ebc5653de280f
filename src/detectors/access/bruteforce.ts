import { type Direction, severityRank } from '../../finding.js';
import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, portList, protocolName, round } from '../describe.js';
import { maxOf, minOf } from '../extremes.js';
import { judge, type Service, serviceName, severityOf, shapeWords, type Verdict } from '../loginAttempts.js';
import { AUTH_PORTS } from '../servicePorts.js';
import { duration } from '../timeWindows.js';

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
  rollsUp: true,
  asffType: 'TTPs/Credential Access/Brute Force',
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
  reads: {
    connections: [
      'client',
      'client_port',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'last_seen',
      'out_packets',
      'out_bytes',
      'in_bytes',
      'client_accepted',
      'client_rejected',
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
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

  // picked: the attempts in time order, then by 5-tuple; a connection log repeats a 5-tuple (a row
  // per session), so the values listed break what still ties and the lists never depend on row order
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
          ORDER BY conn.first_seen, conn.protocol, conn.server_port, conn.client_port,
            conn.duration, conn.bytes, conn.out_packets, conn.failed, conn.rejected) AS seq
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
      firstSeen: minOf(rated.map((v) => v.firstSeen)),
      lastSeen: maxOf(rated.map((v) => v.lastSeen)),
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
