import { sqlIntList } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, round } from '../describe.js';
import { listedAddressesSql } from '../threatMatches.js';

interface Row {
  client: string;
  server: string;
  /** the mining list naming the server, and its entry; null when only the port matched */
  list: string | null;
  entry: string | null;
  /** the first port used, and how many distinct ports */
  port: number;
  ports: number;
  connections: number;
  answered: number;
  /** longest answered connection, and first-to-last span of the answered ones, seconds */
  longest: number;
  answered_span: number | null;
  out_bytes: number;
  in_bytes: number;
  first_seen: number;
  last_seen: number;
}

export default defineDetector({
  id: 'mining',
  title: 'Cryptocurrency mining pool connection',
  description:
    'One of your hosts keeping a connection to a mining pool: an address on a threat list of kind mining, or a long-lived session to a Stratum pool port.',
  status: 'stable',
  attack: ['T1496.001'],
  severity: 'high',
  asffType: 'Effects/Resource Consumption/Cryptocurrency Mining',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    {
      field: 'end_time',
      without:
        'sessions have no length, so a pool port alone never looks persistent (listed pools still match)',
    },
    {
      field: 'tcp_flags',
      without:
        'an answered session is guessed from packet counts, and a session to a pool port in the ephemeral range (45560, 45700) may be read backwards',
    },
    { field: 'action', without: 'connections a security group rejected may count as answered' },
  ],
  reads: {
    connections: [
      'client',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'last_seen',
      'out_bytes',
      'in_bytes',
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'sanctioned mining or blockchain work (allowlist the hosts with the reason)',
    'other services on the same ports: Android debug bridge (5555), game servers (7777), Metasploit handlers (4444, not benign either)',
  ],
  references: [
    'Amazon GuardDuty CryptoCurrency:EC2/BitcoinTool.B and Impact:EC2/BitcoinDomainRequest.Reputation',
    'Stratum mining protocol (slushpool); pool connection strings of XMRig, nanopool, supportxmr, MinerGate',
    'MITRE ATT&CK T1496.001 Compute Hijacking',
  ],
  params: {
    poolPorts: param(
      [3333, 4444, 5555, 7777, 14433, 14444, 45560, 45700],
      'port list',
      'Stratum ports of the pools cryptojacking malware points XMRig at: 3333/5555/7777 (the common default and supportxmr), 4444 (minexmr and many others), 14444/14433 TLS (nanopool Monero), 45560/45700 (MinerGate)',
    ),
    minSessionSeconds: param(
      600,
      'seconds',
      'a miner holds one Stratum session open for hours; 10 minutes (the longest VPC aggregation interval, so at least two records) separates it from a short test or a one-off download',
    ),
    minSpanSeconds: param(
      1800,
      'seconds',
      'a miner that reconnects (pool failover, idle timeouts) keeps returning to the pool: answered sessions spanning 30 minutes are persistent even when each is short',
    ),
  },

  feature: (p, { dialect: d }) => `
    WITH pools AS (
      SELECT addr, min(list) AS list, ${d.argMin('entry', '(list, entry)')} AS entry
      FROM (${listedAddressesSql(['mining'])}) AS listed GROUP BY addr
    ),
    hits AS (
      SELECT c.client, c.server, c.server_port, c.failed, c.first_seen, c.last_seen, c.out_bytes, c.in_bytes,
        pools.list, pools.entry
      FROM fh_connections c LEFT JOIN pools ON pools.addr = c.server
      WHERE c.client_internal = 1 AND c.server_internal = 0
        AND (pools.addr IS NOT NULL OR (c.protocol = 6 AND c.server_port IN (${sqlIntList(p.poolPorts)})))
    )
    SELECT client, server, max(list) AS list, max(entry) AS entry,
      ${d.argMin('server_port', '(first_seen, server_port)')} AS port, count(DISTINCT server_port) AS ports,
      count(*) AS connections, sum(1 - failed) AS answered,
      coalesce(max(CASE WHEN failed = 0 THEN last_seen - first_seen ELSE 0 END), 0) AS longest,
      max(CASE WHEN failed = 0 THEN last_seen END) - min(CASE WHEN failed = 0 THEN first_seen END) AS answered_span,
      sum(out_bytes) AS out_bytes, sum(in_bytes) AS in_bytes,
      min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM hits GROUP BY client, server`,

  score: (row: Row, p) => {
    const span = row.answered_span ?? 0;
    const persistent = row.longest >= p.minSessionSeconds || span >= p.minSpanSeconds;
    const listed = row.list !== null;
    if (!listed && !(row.answered > 0 && persistent)) return undefined;
    const minutes = (seconds: number) => `${count(seconds / 60)} minutes`;
    const kept = persistent
      ? `the longest answered session lasted ${minutes(row.longest)} and answered sessions spanned ${minutes(span)} (thresholds ${minutes(p.minSessionSeconds)}, ${minutes(p.minSpanSeconds)})`
      : `${count(row.answered)} of ${count(row.connections)} connections answered, the longest lasting ${minutes(row.longest)}`;
    const where = listed
      ? `${row.server}, listed as a mining pool in "${row.list}" (entry ${row.entry}), on port ${row.port}`
      : `${row.server} on Stratum pool port ${row.port}`;
    return {
      actor: row.client,
      target: row.server,
      targetCount: 1,
      direction: 'outbound',
      severity: listed && row.answered === 0 ? 'medium' : 'high',
      confidence: listed ? (persistent ? 0.95 : 0.85) : 0.7,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation: `${row.client} connected to ${where}: ${kept}.`,
      subScores: {
        persistence: round(Math.min(1, Math.max(row.longest, span) / p.minSpanSeconds)),
        answeredShare: round(row.answered / row.connections),
      },
      metrics: {
        port: row.port,
        ports: row.ports,
        connections: row.connections,
        answered: row.answered,
        longestSeconds: round(row.longest, 0),
        answeredSpanSeconds: round(span, 0),
        bytesOut: row.out_bytes,
        bytesIn: row.in_bytes,
        ...(listed ? { list: row.list ?? '', entry: row.entry ?? '' } : {}),
      },
      evidence: { client: row.client, server: row.server },
    };
  },
});
