import { sqlIntList } from '../../store/dialect.js';
import { BUSIEST_SOURCE, defineDetector, param } from '../define.js';
import { count, portList, round } from '../describe.js';
import { SENSITIVE_PORTS } from '../servicePorts.js';

interface Row {
  server: string;
  ports: number[];
  clients: number;
  connections: number;
  unauthenticated: number;
  first_seen: number;
  last_seen: number;
}

export default defineDetector({
  id: 'exposure',
  title: 'Admin or database service open to the internet',
  description:
    'A host whose admin or database service answered connections from internet addresses: the attack surface the other detectors see being probed. The exposed host is the target; the internet clients it answered are the sources (every one listed in `sources`), the busiest of them the actor.',
  status: 'stable',
  attack: ['T1133', 'T1190'],
  severity: 'medium',
  asffType: 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    { field: 'tcp_flags', without: 'an answer is guessed from packet counts: a refused port may look open' },
    { field: 'action', without: 'connections blocked by a security group cannot be told from answered ones' },
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
    ],
    flows: [],
  },
  falsePositives: [
    'a bastion host meant to take SSH from the internet (allowlist it with the reason)',
    'a managed VPN or remote-desktop gateway',
  ],
  references: [
    'Amazon GuardDuty Recon:EC2/PortProbeUnprotectedPort',
    'CIS AWS Foundations 5.2/5.3 (no 0.0.0.0/0 to admin ports)',
  ],
  params: {
    ports: param(
      SENSITIVE_PORTS,
      'port list',
      'admin, database and cluster services that should not answer the internet',
    ),
    unauthenticatedPorts: param(
      [2375, 2379, 5984, 6379, 9200, 9300, 10250, 11211, 27017],
      'port list',
      'services that ship without authentication (Docker, etcd, CouchDB, Redis, Elasticsearch, kubelet, memcached, MongoDB): answering the internet is high severity',
    ),
    minClients: param(
      1,
      'internet addresses',
      'one answered internet client proves the service is reachable',
    ),
  },

  feature: (p, { dialect: d }) => `
    WITH open_services AS (
      SELECT server, server_port, count(DISTINCT client) AS clients, count(*) AS connections,
        min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM fh_connections
      WHERE client_internal = 0 AND server_internal = 1 AND failed = 0 AND protocol IN (6, 17)
        AND server_port IN (${sqlIntList(p.ports)})
      GROUP BY server, server_port
      HAVING count(DISTINCT client) >= ${p.minClients}
    )
    SELECT server, ${d.orderedList('server_port', 'server_port')} AS ports, max(clients) AS clients,
      sum(connections) AS connections,
      max(CASE WHEN server_port IN (${sqlIntList(p.unauthenticatedPorts)}) THEN 1 ELSE 0 END) AS unauthenticated,
      min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM open_services GROUP BY server`,

  score: (row: Row, p) => ({
    actor: BUSIEST_SOURCE,
    target: row.server,
    targetCount: 1,
    direction: 'inbound',
    severity: row.unauthenticated === 1 ? 'high' : 'medium',
    confidence: 0.85,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    count: row.connections,
    explanation: `${row.server} answered ${count(row.connections)} connections from up to ${count(row.clients)} internet addresses on port ${portList(row.ports)}${row.unauthenticated === 1 ? ', a service that ships without authentication' : ''} (threshold ${p.minClients} address).`,
    subScores: { reach: round(Math.min(1, Math.log10(1 + row.clients) / 3)) },
    metrics: { ports: row.ports.join(' '), internetClients: row.clients, connections: row.connections },
    evidence: { server: row.server, serverPorts: row.ports, clientInternal: false },
    sources: {
      server: row.server,
      serverPorts: row.ports,
      protocols: [6, 17],
      clientInternal: false,
      failed: false,
    },
  }),
});
