/**
 * Who initiated a connection: the SQL that decides, over one row per 5-tuple whose two ends are `lo`
 * and `hi` (see connections.ts), each side's facts prefixed `lo_` / `hi_`.
 *
 * The rules, in order; each decides only when it tells the two sides apart, else the next is asked:
 * 1. flags: the side that sent a bare SYN, or received the SYN-ACK (it only replied), is the client.
 * 2. reply: when only one side sent anything, a side that only answered is not the client:
 *    - TCP from a service port (rule 4's) to a port that is not one. Without tcp-flags this is how
 *      SYN-ACKs and RSTs read: backscatter of a SYN flood forged from our address, or the refusals of
 *      a scanned host, would otherwise make the replier scan its "client". A scanner that keeps a
 *      service port as its source (nmap -g 80) reads as replies on the ports it probes that are not
 *      service ports, and is still the client of every service port it probes.
 *    - UDP from a multicast-discovery port (DISCOVERY_PORTS: SSDP, mDNS, NetBIOS, LLMNR,
 *      WS-Discovery) to a port that is not one, both ends internal: the unicast answer to a query
 *      sent to a multicast group, which flow logs do not hold. A discovery query reaches only the
 *      querier's own network, so an answer from the internet answers nothing: it stays one-sided
 *      (reflection, which the flood card measures as traffic our host received).
 *    Other UDP is left to rule 3's one-sided reading for the same reason: a DNS or NTP "reply"
 *    nobody asked for is a reflection flood aimed at the receiver.
 * 3. one-sided: the only side that sent anything is the client (a request nobody answered), unless
 *    all it sent were RSTs (see 7).
 * 4. service: a well-known port (below 1024), or a service port no OS hands out to clients
 *    (SERVICE_PORTS), is the server's.
 * 5. popularity: the side whose address and port many clients share is the server: clients are
 *    counted as distinct peers coming from distinct ephemeral-range ports (POPULAR_MIN_CLIENTS, and
 *    more than the other side has). Ephemeral-range ports only, so that a scanner keeping one
 *    source port while it sweeps a service on many hosts is not the popular side.
 * 6. ephemeral: the port in an OS ephemeral range is the client's, the modern ranges (Linux
 *    32768-60999, Windows 49152-65535) before the legacy Windows range (1025-5000).
 * 7. reset: a side that only sent RSTs (tcp-flags known, every record a header-sized RST or RST+ACK)
 *    is not the client. A scanned host's refusals may be all a log holds of a scan: read as the only
 *    side that sent anything, the scanned host scanned its scanner (rule 3 never takes such a side
 *    for the client; rule 2 already places it when it refused from a service port). It comes after
 *    the ports because a client that aborts (a browser resetting a connection whose start the log
 *    does not hold) is an RST-only side too, from an ephemeral port to a service: on a real capture
 *    (CTU-13 #11), asked before the ports, this rule made web servers "scan" the clients that had
 *    reset them.
 * 8. order: the side whose first record started first, then (same second) the higher port.
 * Rules 4-6 ask TCP and UDP only; other protocols (ICMP's type and code as biflow formats log them)
 * keep the older port ranking (0 < 1024 < 32768 ≤) in place of rule 6.
 *
 * Without tcp-flags (the default v2 format) rules 2-6 and 8 decide every connection. Ranking ports by
 * number alone (as before) read a Windows client on 1025-5000 against a server on 8080 as two
 * "registered" ports and decided by time, which a 10-minute aggregation window cannot: the server
 * then appeared to scan its clients, and a client port that happened to be 3389 became an exposed RDP
 * server.
 */

/**
 * Registered service ports outside every OS ephemeral range: an OS never chooses one as a client's
 * source port, so on one side of a connection they name the server. Services inside the legacy
 * Windows range (1433, 3306, 3389 …) are left out: a Windows client's port can be any of them.
 */
export const SERVICE_PORTS: readonly number[] = [
  5432, // PostgreSQL
  5601, // Kibana
  5671, // AMQPS
  5672, // AMQP
  5900, // VNC
  5984, // CouchDB
  5985, // WinRM HTTP
  5986, // WinRM HTTPS
  6379, // Redis
  6443, // Kubernetes API
  8000, // HTTP alternative
  8080, // HTTP alternative, proxies
  8086, // InfluxDB
  8443, // HTTPS alternative
  8500, // Consul
  8883, // MQTT over TLS
  8888, // HTTP alternative
  9000, // HTTP alternative, SonarQube, MinIO
  9042, // Cassandra
  9090, // Prometheus
  9092, // Kafka
  9200, // Elasticsearch
  9300, // Elasticsearch transport
  9418, // git
  10250, // kubelet
  11211, // memcached
  27017, // MongoDB
];

/**
 * UDP ports of multicast and broadcast discovery, whose answers come back unicast from the port to
 * the querier's port: SSDP (UPnP), mDNS, NetBIOS name and datagram services, LLMNR, WS-Discovery.
 */
export const DISCOVERY_PORTS: readonly number[] = [
  137, // NetBIOS name service (broadcast queries)
  138, // NetBIOS datagram service
  1900, // SSDP M-SEARCH to 239.255.255.250
  3702, // WS-Discovery probes to 239.255.255.250
  5353, // mDNS queries to 224.0.0.251 (one-shot queriers ask from an ephemeral port)
  5355, // LLMNR queries to 224.0.0.252
];

/** Distinct clients (peers from distinct ephemeral-range ports) that make a shared port a server's. */
export const POPULAR_MIN_CLIENTS = 2;

/** Protocols with ports a client chooses: the port rules 4-6 apply to them. */
const PORTED = '(6, 17)';

/** 2: a modern OS ephemeral range (Linux, Windows), 1: the legacy Windows range, 0: none. */
export const ephemeralTierSql = (port: string): string =>
  `(CASE WHEN ${port} >= 32768 THEN 2 WHEN ${port} BETWEEN 1025 AND 5000 THEN 1 ELSE 0 END)`;

const serviceSql = (port: string) =>
  `(${port} BETWEEN 1 AND 1023 OR ${port} IN (${SERVICE_PORTS.join(', ')}))`;

/** The older ranking, for protocols without chosen ports: 0 none, 1 well-known, 2 registered, 3 ephemeral. */
const rankSql = (port: string) =>
  `(CASE WHEN ${port} = 0 THEN 0 WHEN ${port} < 1024 THEN 1 WHEN ${port} < 32768 THEN 2 ELSE 3 END)`;

/**
 * The popularity of each (address, port, protocol) end of the TCP and UDP 5-tuples in `source` (with
 * columns lo, lo_port, hi, hi_port, protocol): its distinct clients, as rule 4 counts them. Named
 * apart from the connection's columns: ClickHouse qualifies a `p.*` joined to a table that shares
 * a column name, and the name is then lost to the next query.
 */
export const popularitySql = (source: string): string => `
    SELECT addr AS end_addr, port AS end_port, protocol AS end_protocol,
      least(count(DISTINCT peer), count(DISTINCT peer_port)) AS clients
    FROM (
      SELECT lo AS addr, lo_port AS port, protocol, hi AS peer, hi_port AS peer_port FROM ${source}
      WHERE protocol IN ${PORTED} AND ${ephemeralTierSql('hi_port')} > 0
      UNION ALL
      SELECT hi, hi_port, protocol, lo, lo_port FROM ${source}
      WHERE protocol IN ${PORTED} AND ${ephemeralTierSql('lo_port')} > 0
    ) AS ends
    GROUP BY addr, port, protocol`;

/**
 * A side that only reset: flags known, RSTs sent, no record of it other than RST or RST+ACK, and
 * header-sized packets, at most two a record (biflow formats OR a whole side's flags into one record,
 * so a side that sent data and then reset reads RST+ACK too: its volume tells it apart).
 */
const resetOnly = (side: 'lo' | 'hi') =>
  `(${side}_flags_known = 1 AND ${side}_rst = 1 AND ${side}_not_reset = 0
          AND ${side}_packets <= 2 * ${side}_windows AND ${side}_bytes <= 64 * ${side}_packets)`;

const discoverySql = (port: string) => `${port} IN (${DISCOVERY_PORTS.join(', ')})`;

/**
 * `side` sent nothing and `other` only answered it (rule 2): TCP from a service port to a port that
 * is not one, or UDP from a discovery port to a port that is not one, between two internal ends.
 * `lo_internal` / `hi_internal` are each end's fh_address_facts.internal (0 when unknown).
 */
const repliedTo = (side: 'lo' | 'hi', other: 'lo' | 'hi') =>
  `${side}_records = 0 AND ${side}_port > 0 AND (
          (protocol = 6 AND ${serviceSql(`${other}_port`)} AND NOT ${serviceSql(`${side}_port`)})
          OR (protocol = 17 AND ${discoverySql(`${other}_port`)} AND NOT ${discoverySql(`${side}_port`)}
            AND lo_internal = 1 AND hi_internal = 1))`;

/**
 * The rules as (condition that lo is the client, condition that hi is), in order, with the name
 * `orientation` records. `lo_clients` / `hi_clients` are each end's popularity (0 when unknown),
 * `lo_internal` / `hi_internal` whether it is inside the monitored networks.
 */
function rules(): { name: string; lo: string; hi: string }[] {
  const ported = `protocol IN ${PORTED}`;
  const popular = (a: 'lo' | 'hi', b: 'lo' | 'hi') =>
    `${ported} AND ${a}_clients >= ${POPULAR_MIN_CLIENTS} AND ${a}_clients > ${b}_clients`;
  const tier = (side: 'lo' | 'hi') =>
    `(CASE WHEN ${ported} THEN ${ephemeralTierSql(`${side}_port`)} ELSE ${rankSql(`${side}_port`)} END)`;
  return [
    {
      name: 'flags',
      lo: '(lo_syn = 1 AND hi_syn = 0) OR (lo_syn = hi_syn AND hi_synack = 1 AND lo_synack = 0)',
      hi: '(hi_syn = 1 AND lo_syn = 0) OR (lo_syn = hi_syn AND lo_synack = 1 AND hi_synack = 0)',
    },
    { name: 'reply', lo: repliedTo('lo', 'hi'), hi: repliedTo('hi', 'lo') },
    {
      name: 'one-sided',
      lo: `hi_records = 0 AND NOT ${resetOnly('lo')}`,
      hi: `lo_records = 0 AND NOT ${resetOnly('hi')}`,
    },
    {
      name: 'service',
      lo: `${ported} AND ${serviceSql('hi_port')} AND NOT ${serviceSql('lo_port')}`,
      hi: `${ported} AND ${serviceSql('lo_port')} AND NOT ${serviceSql('hi_port')}`,
    },
    { name: 'popularity', lo: popular('hi', 'lo'), hi: popular('lo', 'hi') },
    { name: 'ephemeral', lo: `${tier('lo')} > ${tier('hi')}`, hi: `${tier('hi')} > ${tier('lo')}` },
    {
      name: 'reset',
      lo: `${resetOnly('hi')} AND NOT ${resetOnly('lo')}`,
      hi: `${resetOnly('lo')} AND NOT ${resetOnly('hi')}`,
    },
    { name: 'order', lo: 'lo_t0 < hi_t0 OR (lo_t0 = hi_t0 AND lo_port >= hi_port)', hi: 'TRUE' },
  ];
}

/**
 * `lo_is_client` (1/0) and `orientation` (the rule that decided) over a row with each side's facts.
 * The flags of a side that sent nothing are 0; its t0 is NULL (DuckDB) or 0 (ClickHouse), read only
 * once both sides are known to have sent records.
 */
export function initiatorColumns(): { loIsClient: string; orientation: string } {
  const all = rules();
  const loIsClient = `CASE\n${all.map((r) => `        WHEN ${r.lo} THEN 1 WHEN ${r.hi} THEN 0`).join('\n')}\n        ELSE 1 END`;
  const orientation = `CASE\n${all.map((r) => `        WHEN (${r.lo}) OR (${r.hi}) THEN '${r.name}'`).join('\n')}\n        ELSE 'order' END`;
  return { loIsClient, orientation };
}
