import type { EvidenceKey } from '../detectors/define.js';
import type { EvidenceRecord } from '../finding.js';
import type { AnalysisStore } from '../store/store.js';

/** Flow records kept per finding as proof: enough to verify it by hand, few enough to read. */
export const EVIDENCE_PER_FINDING = 10;

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const maybe = (n: number | undefined) => (n === undefined ? 'NULL' : String(Math.trunc(n)));
const maybeNumber = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'NULL' : String(n));
const text = (s: string | undefined) => (s === undefined ? 'NULL' : quote(s));
const scope = (key: EvidenceKey) =>
  key.clientInternal === undefined ? 'NULL' : key.clientInternal ? '1' : '0';

const RECORD_COLUMNS = `f.file_id, f.line, f.start_time, f.end_time, f.src_addr, f.src_port, f.dst_addr, f.dst_port,
  f.protocol, f.packets, f.bytes, f.action, f.tcp_flags, f.interface_id, f.flow_direction, f.account_id, f.region,
  NULL AS log_status`;

/**
 * An interface's own log: its SKIPDATA records first (records lost), then NODATA, then, for a silence,
 * its last flow records before it, the newest first. The rank orders them within the finding.
 */
const interfaceLog = `
  SELECT k.k, 0 AS rank, h.file_id, h.line, h.start_time, h.end_time, NULL AS src_addr, NULL AS src_port,
    NULL AS dst_addr, NULL AS dst_port, NULL AS protocol, NULL AS packets, NULL AS bytes, NULL AS action,
    NULL AS tcp_flags, h.interface_id, NULL AS flow_direction, h.account_id, h.region, h.status AS log_status
  FROM log_health h JOIN fh_evidence_interfaces k ON h.interface_id = k.interface_id
  UNION ALL
  SELECT k.k, 1 AS rank, ${RECORD_COLUMNS} FROM flows f
  JOIN fh_evidence_interfaces k ON f.interface_id = k.interface_id AND f.start_time < k.silent_from`;

/**
 * Keys joined on the ends they name, as equi-joins (one hash join per kind of key however many keys),
 * port and protocol filtered. A key naming both ends must join on both: joined on its client alone,
 * every record of a busy client met every key of that client (a host talking to 10,000 servers times
 * 10,000 keys). Keys on the server alone may ask for clients inside or outside the monitored networks
 * (fh_address_facts, made by the analysis; joined only when a key asks).
 */
const matchOn = (ends: 'pair' | 'client' | 'server', byClientScope: boolean) => {
  const src = 'coalesce(f.pkt_src_addr, f.src_addr)';
  const dst = 'coalesce(f.pkt_dst_addr, f.dst_addr)';
  const [on, keys] = {
    pair: [`${src} = k.client AND ${dst} = k.server`, 'client IS NOT NULL AND server IS NOT NULL'],
    client: [`${src} = k.client`, 'client IS NOT NULL AND server IS NULL'],
    server: [`${dst} = k.server`, 'client IS NULL'],
  }[ends];
  const scoped = ends === 'server' && byClientScope;
  return `SELECT k.k, ${RECORD_COLUMNS} FROM flows f
    JOIN (SELECT * FROM fh_evidence_keys WHERE ${keys}) AS k ON ${on}
      AND (k.port IS NULL OR f.dst_port = k.port)
      AND (k.protocol IS NULL OR f.protocol = k.protocol)${
        scoped
          ? `\n    LEFT JOIN fh_address_facts af ON af.addr = ${src}
    WHERE k.client_internal IS NULL OR coalesce(af.internal, 0) = k.client_internal`
          : ''
      }`;
};

/**
 * The first records (in time order) of each finding's client→server traffic, with file and line,
 * in one pass over the flows table however many findings there are.
 */
export async function fetchEvidence(
  store: AnalysisStore,
  keys: readonly EvidenceKey[],
  perFinding = EVIDENCE_PER_FINDING,
): Promise<EvidenceRecord[][]> {
  const result: EvidenceRecord[][] = keys.map(() => []);
  if (keys.length === 0) return result;
  const byClientScope = keys.some((key) => key.clientInternal !== undefined);
  const rows = keys.flatMap((key, index) =>
    (key.serverPorts && key.serverPorts.length > 0 ? key.serverPorts : [undefined]).map(
      (port) =>
        `(${index}, ${text(key.client)}, ${text(key.server)}, ${maybe(port)}, ${maybe(key.protocol)}, ${scope(key)})`,
    ),
  );
  await store.run(
    store.dialect.createTable('fh_evidence_keys', {
      k: 'integer',
      client: 'text',
      server: 'text',
      port: 'integer',
      protocol: 'integer',
      client_internal: 'integer',
    }),
  );
  for (let i = 0; i < rows.length; i += 1000) {
    await store.run(`INSERT INTO fh_evidence_keys VALUES ${rows.slice(i, i + 1000).join(', ')}`);
  }
  // the path joins the kept records only: joined before the ranking, every matching record of every
  // finding carried its file's whole path through the window
  const flowRecords = `
    SELECT * FROM (${matchOn('pair', false)} UNION ALL ${matchOn('client', false)}
      UNION ALL ${matchOn('server', byClientScope)})
    QUALIFY row_number() OVER (PARTITION BY k ORDER BY start_time, file_id, line) <= ${Math.trunc(perFinding)}
    ORDER BY k, start_time, file_id, line`;
  const interfaces = keys.flatMap((key, index) =>
    key.interfaceLog
      ? [`(${index}, ${quote(key.interfaceLog.interfaceId)}, ${maybeNumber(key.interfaceLog.silentFrom)})`]
      : [],
  );
  let logRecords: string | undefined;
  if (interfaces.length > 0) {
    await store.run(
      store.dialect.createTable('fh_evidence_interfaces', {
        k: 'integer',
        interface_id: 'text',
        silent_from: 'double',
      }),
    );
    await store.run(`INSERT INTO fh_evidence_interfaces VALUES ${interfaces.join(', ')}`);
    logRecords = `
      SELECT * FROM (${interfaceLog})
      QUALIFY row_number() OVER (PARTITION BY k ORDER BY rank, log_status = 'NODATA',
        CASE WHEN rank = 1 THEN -start_time ELSE start_time END, file_id, line) <= ${Math.trunc(perFinding)}
      ORDER BY k, rank, log_status = 'NODATA', CASE WHEN rank = 1 THEN -start_time ELSE start_time END,
        file_id, line`;
  }
  // one path string per file, shared by its records (a path in every row cost ~200 bytes a record)
  const paths = new Map<number, string>();
  for (const row of await store.query<{ file_id: number; path: string }>(
    'SELECT file_id, path FROM ingested_files',
  )) {
    paths.set(Number(row.file_id), row.path);
  }
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  // read chunk by chunk: the whole result as row objects beside the records made from it doubled
  // the memory of a big analysis
  for (const sql of [flowRecords, ...(logRecords ? [logRecords] : [])])
    for await (const r of store.queryRows(sql)) {
      result[Number(r.k)]?.push({
        file: paths.get(Number(r.file_id)) ?? '',
        line: Number(r.line),
        start: num(r.start_time),
        end: num(r.end_time),
        srcAddr: str(r.src_addr),
        srcPort: num(r.src_port),
        dstAddr: str(r.dst_addr),
        dstPort: num(r.dst_port),
        protocol: num(r.protocol),
        packets: num(r.packets),
        bytes: num(r.bytes),
        action: str(r.action),
        tcpFlags: num(r.tcp_flags),
        interfaceId: str(r.interface_id),
        flowDirection: str(r.flow_direction),
        accountId: str(r.account_id),
        region: str(r.region),
        logStatus: str(r.log_status),
      });
    }
  return result;
}
