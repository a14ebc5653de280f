import { type Severity, severityRank } from '../../finding.js';
import { sqlIntList } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, round } from '../describe.js';
import { publicResolverSql } from '../publicResolvers.js';

interface Row {
  client: string;
  /** dns: plain DNS; dot: DNS over TLS or QUIC; doh: HTTPS to a public DoH resolver */
  channel: 'dns' | 'dot' | 'doh';
  servers: number;
  /** of those, public resolvers (publicResolvers.ts) */
  public_servers: number;
  connections: number;
  answered: number;
  /** the server with the most connections, and how many */
  top_server: string;
  top_connections: number;
  /** the server, not a public resolver, that got the most bytes, and how many */
  heavy_server: string;
  heavy_bytes: number;
  /** internal hosts whose DNS queries this client answered: a forwarder's upstream traffic is its job */
  dns_clients: number;
  first_seen: number;
  last_seen: number;
}

const CHANNEL = {
  dns: 'plain DNS',
  dot: 'DNS-over-TLS/QUIC',
  doh: 'DNS-over-HTTPS',
} as const;

export default defineDetector({
  id: 'resolver',
  title: 'DNS to a resolver outside the VPC',
  description:
    'One of your hosts resolving names through an internet server instead of the VPC resolver: plain DNS, DNS over TLS/QUIC, or DNS over HTTPS to a public resolver. It escapes Route 53 Resolver query logs and DNS Firewall, and is how DNS tunnels leave.',
  status: 'stable',
  attack: ['T1071.004', 'T1572'],
  severity: 'medium',
  asffType: 'Unusual Behaviors/Network Flow/Unsanctioned DNS Resolver',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    { field: 'tcp_flags', without: 'whether the resolver answered is guessed from packet counts' },
    { field: 'action', without: 'queries a security group or NACL blocked may count as answered' },
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
    'a DNS forwarder or resolver you run (BIND, unbound, a domain controller) talking to its upstreams: allowlist it as actor, detector resolver (a forwarder other hosts query is recognised and skipped for plain DNS)',
    'a host configured with a public resolver (8.8.8.8 in resolv.conf): low severity, a misconfiguration rather than an attack',
    'browsers with DNS-over-HTTPS turned on, on WorkSpaces or other desktops in the VPC',
  ],
  references: [
    'Amazon Route 53 Resolver: the VPC resolver at the VPC CIDR base +2 and 169.254.169.253 (fd00:ec2::253)',
    'Amazon GuardDuty Trojan:EC2/DNSDataExfiltration',
    'Paxson et al.: Practical Comprehensive Bounds on Surreptitious Communication over DNS (USENIX Security 2013)',
    'RFC 7858 (DoT), RFC 8484 (DoH), RFC 9250 (DoQ)',
  ],
  params: {
    dnsPorts: param([53], 'port list', 'plain DNS, UDP and TCP'),
    encryptedDnsPorts: param([853], 'port list', 'DNS over TLS (TCP 853) and DNS over QUIC (UDP 853)'),
    dohPorts: param(
      [443],
      'port list',
      'HTTPS: DNS-over-HTTPS when the server is a public resolver (publicResolvers.ts; other HTTPS is not DNS)',
    ),
    minDnsConnections: param(
      5,
      'connections',
      "plain DNS connections to one server (each query has its own source port) before a host counts as using it: one `dig @8.8.8.8` by an admin is not the host's configuration",
    ),
    minEncryptedConnections: param(
      1,
      'connections',
      'one DoT/DoH session carries many queries, and a server has no reason to open one',
    ),
    forwarderClients: param(
      2,
      'internal hosts',
      'a host that answered DNS for this many other internal hosts is a forwarder: its plain DNS to upstreams is its job',
    ),
    recursiveServers: param(
      20,
      'servers',
      'distinct internet DNS servers: a host doing its own recursion (unbound, BIND) walks root, TLD and authoritative servers, many with few queries each; a misconfigured host uses one or two',
    ),
    tunnelBytes: param(
      1_000_000,
      'bytes',
      'to one server that is not a public resolver: about 10,000 queries of 100 bytes, more than a host resolving its own traffic sends to one server over a capture; the volume of a DNS tunnel (iodine, dnscat2)',
    ),
  },

  feature: (p, { dialect: d }) => {
    const unknownBytes = 'CASE WHEN public_resolver = 0 THEN bytes ELSE 0 END';
    return `
    WITH public_resolvers AS (SELECT addr FROM addresses WHERE ${publicResolverSql('ip')}),
    forwarders AS (
      SELECT server AS addr, count(DISTINCT client) AS clients FROM fh_connections
      WHERE client_internal = 1 AND server_internal = 1 AND protocol IN (6, 17) AND failed = 0
        AND server_port IN (${sqlIntList(p.dnsPorts)})
      GROUP BY server
    ),
    hits AS (
      SELECT client, server, failed, first_seen, last_seen, out_bytes + in_bytes AS bytes,
        CASE WHEN server_port IN (${sqlIntList(p.dnsPorts)}) THEN 'dns'
          WHEN server_port IN (${sqlIntList(p.encryptedDnsPorts)}) THEN 'dot' ELSE 'doh' END AS channel,
        CASE WHEN server IN (SELECT addr FROM public_resolvers) THEN 1 ELSE 0 END AS public_resolver
      FROM fh_connections
      WHERE client_internal = 1 AND server_internal = 0 AND protocol IN (6, 17)
        AND (server_port IN (${sqlIntList([...p.dnsPorts, ...p.encryptedDnsPorts])})
          OR (server_port IN (${sqlIntList(p.dohPorts)}) AND server IN (SELECT addr FROM public_resolvers)))
    ),
    per_server AS (
      SELECT client, channel, server, max(public_resolver) AS public_resolver, count(*) AS connections,
        sum(1 - failed) AS answered, sum(bytes) AS bytes, min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM hits GROUP BY client, channel, server
    )
    SELECT client, channel, count(*) AS servers, sum(public_resolver) AS public_servers,
      sum(connections) AS connections, sum(answered) AS answered,
      ${d.argMin('server', '(0 - connections, server)')} AS top_server, max(connections) AS top_connections,
      ${d.argMin('server', `(0 - ${unknownBytes}, server)`)} AS heavy_server, max(${unknownBytes}) AS heavy_bytes,
      coalesce(max(forwarders.clients), 0) AS dns_clients,
      min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM per_server LEFT JOIN forwarders ON forwarders.addr = per_server.client
    GROUP BY client, channel`;
  },

  score: (row: Row, p) => {
    const plain = row.channel === 'dns';
    if (plain && row.dns_clients >= p.forwarderClients) return undefined;
    const recursive = plain && row.servers >= p.recursiveServers;
    const tunnel = plain && !recursive && row.heavy_bytes >= p.tunnelBytes;
    // plain DNS: a host uses a server when it sends it several queries; a few queries scattered over
    // a few servers are neither a configured resolver nor recursion
    const minimum = plain ? p.minDnsConnections : p.minEncryptedConnections;
    const used = (plain ? row.top_connections : row.connections) >= minimum;
    if (!(used || recursive || tunnel)) return undefined;
    const allPublic = row.public_servers === row.servers;
    let severity: Severity = tunnel ? 'high' : !plain ? 'medium' : recursive || allPublic ? 'low' : 'medium';
    if (row.answered === 0 && severityRank(severity) > severityRank('low')) severity = 'low';
    const single = row.servers === 1;
    const to = single
      ? `${row.top_server}${allPublic ? ' (a public resolver)' : ''}`
      : `${count(row.servers)} internet servers (${count(row.public_servers)} public resolvers; ${count(row.top_connections)} connections to the busiest, ${row.top_server})`;
    const why = tunnel
      ? `; ${count(row.heavy_bytes)} bytes went to ${row.heavy_server}, not a public resolver (threshold ${count(p.tunnelBytes)}): the volume of a DNS tunnel`
      : recursive
        ? `; ${count(row.servers)} distinct servers (threshold ${p.recursiveServers}): it resolves recursively itself`
        : '';
    return {
      actor: row.client,
      target: single ? row.top_server : null,
      targetCount: row.servers,
      direction: 'outbound',
      severity,
      confidence: tunnel ? 0.7 : 0.85,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation: `${row.client} used ${CHANNEL[row.channel]} to ${to} instead of the VPC resolver: ${count(row.connections)} connections, ${count(row.answered)} answered (threshold ${minimum})${why}.`,
      subScores: {
        answeredShare: round(row.answered / row.connections),
        publicShare: round(row.public_servers / row.servers),
        volume: round(Math.min(1, row.heavy_bytes / p.tunnelBytes)),
      },
      metrics: {
        channel: row.channel,
        servers: row.servers,
        publicResolvers: row.public_servers,
        connections: row.connections,
        answered: row.answered,
        topServer: row.top_server,
        topServerConnections: row.top_connections,
        ...(row.heavy_bytes > 0
          ? { heaviestUnknownServer: row.heavy_server, heaviestUnknownBytes: row.heavy_bytes }
          : {}),
      },
      evidence: { client: row.client, server: tunnel ? row.heavy_server : row.top_server },
    };
  },
});
