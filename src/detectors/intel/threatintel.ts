import { type Severity, severityRank } from '../../finding.js';
import type { ThreatListKind } from '../../threatintel/threatLists.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, portList, round } from '../describe.js';
import { listedAddressesSql } from '../threatMatches.js';

interface Row {
  /** the initiator: our host reaching a listed server, or the listed host itself */
  client: string;
  /** the listed end: the server, or the client when a listed host connected to us */
  listed_addr: string;
  direction: 'inbound' | 'outbound' | 'internal' | 'external';
  /** distinct servers, and the lowest (the target when there is one) */
  servers: number;
  server: string;
  connections: number;
  answered: number;
  out_bytes: number;
  in_bytes: number;
  first_seen: number;
  last_seen: number;
  ports: number[];
  /** every list naming listed_addr, ordered by list name, with its kind, entry and entry size */
  lists: string[];
  kinds: Kind[];
  entries: string[];
  sizes: number[];
}

/** Kinds this card reads; lists of kind mining are the mining detector's, so a pool is reported once. */
const KINDS = ['c2', 'tor', 'scanner', 'other'] as const satisfies readonly ThreatListKind[];
type Kind = (typeof KINDS)[number];

/**
 * Severity by list kind, by who initiated (our host reaching out, or the listed host reaching in),
 * and whether the connection was answered: [answered, never answered].
 * - c2: our host talking to a C2 server is the infection itself (high); a C2 address reaching in is
 *   usually that infrastructure scanning too (medium answered, low refused).
 * - tor: our host reaching a Tor relay runs a Tor client; a Tor exit reaching in is anonymised use of
 *   our service. Both are worth a look, neither is proof (medium/low).
 * - scanner: an inbound known scanner is internet background (low answered, info dropped).
 * - other: a list without a stated meaning: medium for our host reaching out, low for inbound.
 */
const SEVERITY: Record<Kind, { out: [Severity, Severity]; in: [Severity, Severity] }> = {
  c2: { out: ['high', 'medium'], in: ['medium', 'low'] },
  tor: { out: ['medium', 'low'], in: ['medium', 'low'] },
  scanner: { out: ['low', 'info'], in: ['low', 'info'] },
  other: { out: ['medium', 'low'], in: ['low', 'info'] },
};

export default defineDetector({
  id: 'threatintel',
  title: 'Traffic with a threat-listed address',
  description:
    'Connections to or from an internet address on a configured threat list (threatLists: C2 servers, Tor relays, scanners), rated by the list kind and who initiated.',
  status: 'stable',
  attack: ['T1071', 'T1090.003', 'T1595'],
  severity: 'high',
  asffType: 'Unusual Behaviors/IP address/Threat List Match',
  requires: ['src_addr', 'dst_addr', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without: 'whether the listed host answered is guessed from packet counts, and severity rests on it',
    },
    { field: 'action', without: 'connections a security group rejected may count as answered' },
  ],
  reads: {
    connections: [
      'client',
      'server',
      'server_port',
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
    'a stale list entry: C2 and Tor addresses are recycled by hosting providers (prefer feeds that expire entries)',
    'a broad CIDR entry (Spamhaus DROP, hosting blocks) naming the network of a legitimate host (lower confidence)',
    'your own security tooling that queries listed hosts (sandboxes, threat-intel enrichment): allowlist it as actor',
  ],
  references: [
    'Amazon GuardDuty UnauthorizedAccess:EC2/TorClient, Backdoor:EC2/C&CActivity.B, Recon:EC2/PortProbeUnprotectedPort',
    'abuse.ch Feodo Tracker; Spamhaus DROP; Tor Project bulk exit list',
    'OASIS STIX 2.1 indicator patterns',
  ],
  params: {
    minConnections: param(
      1,
      'connections',
      'one contact with a listed address is the signal a list exists to give; raise it to quiet a broad list',
    ),
    narrowEntryAddresses: param(
      256,
      'addresses',
      'an entry covering more than a /24 names a network (DROP lists, hosting blocks), not the host itself: confidence is lower',
    ),
  },

  feature: (p, { dialect: d, direction }) => `
    WITH listed AS (${listedAddressesSql(KINDS)}),
    hits AS (
      SELECT client, server, server_port, failed, first_seen, last_seen, out_bytes, in_bytes,
        ${direction} AS direction, server AS listed_addr
      FROM fh_connections WHERE server IN (SELECT addr FROM listed)
      UNION ALL
      SELECT client, server, server_port, failed, first_seen, last_seen, out_bytes, in_bytes,
        ${direction} AS direction, client AS listed_addr
      FROM fh_connections
      WHERE client IN (SELECT addr FROM listed) AND server NOT IN (SELECT addr FROM listed)
    ),
    port_lists AS (
      SELECT client, listed_addr, ${d.orderedList('server_port', 'server_port')} AS ports
      FROM (SELECT DISTINCT client, listed_addr, server_port FROM hits) AS distinct_ports
      GROUP BY client, listed_addr
    ),
    list_names AS (
      SELECT addr, ${d.orderedList('list', 'list, entry')} AS lists, ${d.orderedList('kind', 'list, entry')} AS kinds,
        ${d.orderedList('entry', 'list, entry')} AS entries, ${d.orderedList('addresses', 'list, entry')} AS sizes
      FROM listed GROUP BY addr
    ),
    pairs AS (
      SELECT client, listed_addr, max(direction) AS direction, count(DISTINCT server) AS servers,
        min(server) AS server, count(*) AS connections, sum(1 - failed) AS answered,
        sum(out_bytes) AS out_bytes, sum(in_bytes) AS in_bytes,
        min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM hits GROUP BY client, listed_addr
      HAVING count(*) >= ${p.minConnections}
    )
    SELECT pairs.*, port_lists.ports, list_names.lists, list_names.kinds, list_names.entries, list_names.sizes
    FROM pairs
    JOIN port_lists ON port_lists.client = pairs.client AND port_lists.listed_addr = pairs.listed_addr
    JOIN list_names ON list_names.addr = pairs.listed_addr`,

  score: (row: Row, p) => {
    const reachingIn = row.listed_addr === row.client;
    const severityOf = (kind: Kind) => SEVERITY[kind][reachingIn ? 'in' : 'out'][row.answered > 0 ? 0 : 1];
    // the list whose kind rates the traffic highest speaks for the finding
    const pick = row.kinds.reduce(
      (best, kind, i) =>
        severityRank(severityOf(kind)) > severityRank(severityOf(row.kinds[best] ?? kind)) ? i : best,
      0,
    );
    const [list, kind, entry, size] = [
      row.lists[pick],
      row.kinds[pick] ?? 'other',
      row.entries[pick],
      row.sizes[pick] ?? 1,
    ];
    const narrow = size <= p.narrowEntryAddresses;
    const others = row.lists.filter((name) => name !== list);
    const listed = `listed as ${kind} in "${list}" (entry ${entry}${others.length > 0 ? `; also in ${others.map((o) => `"${o}"`).join(', ')}` : ''})`;
    const traffic = `${count(row.connections)} connection${row.connections === 1 ? '' : 's'} on port ${portList(row.ports)}, ${count(row.answered)} answered`;
    const single = row.servers === 1;
    const explanation = reachingIn
      ? `${row.client}, ${listed}, connected to ${single ? row.server : `${count(row.servers)} of your hosts`}: ${traffic} (threshold ${p.minConnections}).`
      : `${row.client} connected to ${row.listed_addr}, ${listed}: ${traffic} (threshold ${p.minConnections}).`;
    return {
      actor: row.client,
      target: reachingIn ? (single ? row.server : null) : row.listed_addr,
      targetCount: row.servers,
      direction: row.direction,
      severity: severityOf(kind),
      confidence: narrow ? 0.9 : 0.6,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation,
      subScores: {
        answeredShare: round(row.answered / row.connections),
        entryBreadth: round(logShare(size, 2 ** 24)),
      },
      metrics: {
        list: list ?? '',
        kind,
        entry: entry ?? '',
        listedAddress: row.listed_addr,
        lists: row.lists.join(' '),
        connections: row.connections,
        answered: row.answered,
        ports: row.ports.join(' '),
        bytesOut: row.out_bytes,
        bytesIn: row.in_bytes,
      },
      evidence: reachingIn
        ? { client: row.client, ...(single ? { server: row.server } : {}) }
        : { client: row.client, server: row.listed_addr },
    };
  },
});
