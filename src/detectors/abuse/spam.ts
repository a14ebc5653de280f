import { sqlIntList } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, portList, round } from '../describe.js';

interface Row {
  client: string;
  /** distinct internet mail servers over the whole span, and the most within one window */
  servers: number;
  peak_servers: number;
  connections: number;
  failed: number;
  ports: number[];
  first_seen: number;
  last_seen: number;
}

export default defineDetector({
  id: 'spam',
  title: 'Outbound spam (SMTP to many mail servers)',
  description:
    "One of your hosts opening SMTP connections to many distinct internet mail servers within an hour: delivering straight to recipients' MX hosts, as a spambot does.",
  status: 'stable',
  attack: ['T1496'],
  severity: 'medium',
  asffType: 'Effects/Resource Consumption/Spam',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    { field: 'tcp_flags', without: 'refused deliveries are guessed from packet counts (the failed share)' },
    { field: 'action', without: 'deliveries a security group blocked are not counted as failed' },
  ],
  reads: {
    connections: [
      'client',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'last_seen',
      'failed',
      'client_internal',
      'server_internal',
      'server_aws_service',
    ],
    flows: [],
  },
  falsePositives: [
    'your own outbound mail server (MTA) delivering directly to recipients: allowlist it as actor with the reason',
    'a newsletter or transactional-mail host that does not relay through a provider',
  ],
  references: [
    'Amazon GuardDuty Backdoor:EC2/Spambot',
    'Amazon EC2 restriction on port 25 (outbound email from EC2 is throttled unless removed)',
    'Ramachandran, Feamster: Understanding the Network-Level Behavior of Spammers (SIGCOMM 2006)',
  ],
  params: {
    smtpPorts: param([25, 465, 587], 'port list', 'SMTP relay (25) and submission (465 TLS, 587)'),
    window: param(
      3600,
      'seconds',
      "minServers counts distinct servers within one window of this length: a spam run is a burst, a mail server's daily spread is not",
    ),
    minServers: param(
      20,
      'mail servers',
      "a host relaying through a smarthost or a provider talks to 1-5 servers; a spambot delivers to recipients' MX hosts, hundreds an hour. 20 leaves room for several smarthosts with fallbacks",
    ),
    highServers: param(
      200,
      'mail servers',
      'ten times minServers within one window: a spam run in full swing, not a misconfigured relay',
    ),
    botFailedShare: param(
      0.3,
      'ratio 0-1',
      "a spambot's deliveries are often refused (dead MX hosts, blocklists, greylisting, the EC2 port-25 throttle); a legitimate MTA's mostly succeed: above this share confidence is higher",
    ),
  },

  feature: (p, { dialect: d }) => `
    WITH smtp AS (
      SELECT client, server, server_port, failed, first_seen, last_seen
      FROM fh_connections
      WHERE client_internal = 1 AND server_internal = 0 AND protocol = 6
        AND server_port IN (${sqlIntList(p.smtpPorts)})
        AND (server_aws_service IS NULL OR server_aws_service = 'EC2')
    ),
    per_window AS (
      SELECT client, count(DISTINCT server) AS servers FROM smtp
      GROUP BY client, floor(first_seen / ${p.window})
    ),
    peaks AS (
      SELECT client, max(servers) AS peak_servers FROM per_window GROUP BY client
      HAVING max(servers) >= ${p.minServers}
    ),
    ports AS (
      SELECT client, ${d.orderedList('server_port', 'server_port')} AS ports
      FROM (SELECT DISTINCT client, server_port FROM smtp) AS distinct_ports GROUP BY client
    )
    SELECT smtp.client, count(DISTINCT server) AS servers, max(peaks.peak_servers) AS peak_servers,
      count(*) AS connections, sum(failed) AS failed, max(ports.ports) AS ports,
      min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM smtp JOIN peaks ON peaks.client = smtp.client JOIN ports ON ports.client = smtp.client
    GROUP BY smtp.client`,

  score: (row: Row, p) => {
    if (row.peak_servers < p.minServers) return undefined;
    const failedShare = row.failed / row.connections;
    return {
      actor: row.client,
      target: null,
      targetCount: row.servers,
      direction: 'outbound',
      severity: row.peak_servers >= p.highServers ? 'high' : 'medium',
      confidence: failedShare >= p.botFailedShare ? 0.85 : 0.6,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation: `${row.client} opened SMTP connections (port ${portList(row.ports)}) to ${count(row.servers)} distinct internet mail servers, ${count(row.peak_servers)} of them within ${count(p.window / 60)} minutes (threshold ${p.minServers}); ${count(row.failed)} of ${count(row.connections)} connections failed.`,
      subScores: {
        breadth: round(logShare(row.peak_servers, p.highServers)),
        failedShare: round(failedShare),
      },
      metrics: {
        servers: row.servers,
        peakWindowServers: row.peak_servers,
        connections: row.connections,
        failed: row.failed,
        ports: row.ports.join(' '),
      },
      evidence: { client: row.client, serverPorts: row.ports },
    };
  },
});
