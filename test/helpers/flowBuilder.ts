import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/config.js';
import { DETECTORS, type Detector } from '../../src/detectors/index.js';
import { analyse } from '../../src/engine/analyse.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { Analysis } from '../../src/report.js';
import { DuckdbStore } from '../../src/store/duckdbStore.js';

/**
 * Synthetic VPC flow logs for detector tests: describe connections, get the records AWS would write
 * on the interfaces involved (both directions, flags, action), as a real S3-style file with a header.
 */

export const ALL_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
  'tcp-flags',
  'flow-direction',
  'pkt-srcaddr',
  'pkt-dstaddr',
] as const;

/** ALL_FIELDS and pkt-dst-aws-service (see Connection.awsService). */
export const AWS_SERVICE_FIELDS = [...ALL_FIELDS, 'pkt-dst-aws-service'] as const;

/** AWS_SERVICE_FIELDS and traffic-path (see Connection.trafficPath). */
export const TRAFFIC_PATH_FIELDS = [...AWS_SERVICE_FIELDS, 'traffic-path'] as const;

/** One complete HTTP GET as ab made them in eval/captures/httpflood: 6 packets each way, a page back. */
export const HTTP_GET = { outPackets: 6, outBytes: 398, inPackets: 6, inBytes: 1707 } as const;

type Field = (typeof TRAFFIC_PATH_FIELDS)[number];

export interface Connection {
  client: string;
  server: string;
  /** server port (ICMP: 0) */
  port: number;
  /** client port; a fresh ephemeral port when absent */
  clientPort?: number;
  protocol?: number;
  /** start, Unix seconds */
  at: number;
  duration?: number;
  /** 'open' (answered, data both ways), 'refused' (RST), 'dropped' (no answer), 'rejected' (security group) */
  outcome?: 'open' | 'refused' | 'dropped' | 'rejected';
  outPackets?: number;
  outBytes?: number;
  inPackets?: number;
  inBytes?: number;
  /** interfaces that log it: by default only the server's */
  interfaces?: readonly string[];
  /** the server's interface id (default 'eni-server'): records there are ingress, elsewhere egress */
  serverInterface?: string;
  /** NAT gateway style: logged addresses differ from the packet addresses */
  loggedClient?: string;
  /** pkt-dst-aws-service of the client's records (e.g. 'AMAZON' for an SES endpoint); '-' when absent */
  awsService?: string;
  /** traffic-path of the client's egress records (7: through a gateway VPC endpoint); '-' when absent */
  trafficPath?: number;
  /** TCP flags of the client's and the server's record (default: a whole connection in one record) */
  flags?: readonly [client: number, server: number];
}

export class FlowBuilder {
  private readonly records: Record<Field, string | number>[] = [];
  private nextPort = 40000;

  tcp(c: Connection): this {
    return this.add({ protocol: 6, ...c });
  }

  udp(c: Connection): this {
    return this.add({ protocol: 17, ...c });
  }

  icmp(c: Omit<Connection, 'port'>): this {
    return this.add({ protocol: 1, port: 0, clientPort: 0, ...c });
  }

  /**
   * ICMP as flows derived from Zeek conn.log or Argus carry it (see src/readers/biflow.ts): the ICMP type
   * in src_port and the code in dst_port, in the reply row too (not swapped). VPC logs 0 0 (see icmp()).
   * `protocol: 58` for ICMPv6 (echo request 128).
   */
  icmpTyped(c: Omit<Connection, 'port' | 'clientPort'> & { type: number; code?: number }): this {
    const { type, code, ...rest } = c;
    return this.add({ protocol: 1, ...rest, port: code ?? 0, clientPort: type });
  }

  /**
   * A log-status record as AWS writes it: NODATA (no traffic on the interface in the window) or SKIPDATA
   * (records were lost), every field `-` but version, account, interface and window. Without the
   * log-status field (`text(fields)`), it reads as an empty record whose status cannot be told.
   */
  health(h: { interface: string; status: 'NODATA' | 'SKIPDATA'; at: number; duration?: number }): this {
    const blank = Object.fromEntries(AWS_SERVICE_FIELDS.map((f) => [f, '-'])) as Record<Field, string>;
    this.records.push({
      ...blank,
      version: 5,
      'account-id': '123456789012',
      'interface-id': h.interface,
      start: Math.floor(h.at),
      end: Math.ceil(h.at + (h.duration ?? 600)),
      'log-status': h.status,
    });
    return this;
  }

  /**
   * One long connection as VPC logs it: a record each way per aggregation window of `window` seconds
   * (default 600) from `at` for `duration`, on one client port; TCP flags SYN / SYN-ACK in the first
   * window, FIN in the last, none between. Volumes are per window.
   */
  session(c: Connection & { duration: number; window?: number }): this {
    const { window = 600, ...rest } = c;
    const clientPort = c.clientPort ?? this.ephemeral();
    const windows = Math.max(1, Math.ceil(c.duration / window));
    for (let i = 0; i < windows; i++) {
      const at = c.at + i * window;
      const last = i === windows - 1;
      const flags: [number, number] = [
        (i === 0 ? 2 : 0) | (last ? 1 : 0),
        (i === 0 ? 18 : 0) | (last ? 1 : 0),
      ];
      this.add({ ...rest, clientPort, at, duration: Math.min(window, c.at + c.duration - at) - 1, flags });
    }
    return this;
  }

  /** Any other IP protocol (GRE 47, ESP 50, PIM 103 …), which has no ports. */
  ipProtocol(c: Omit<Connection, 'port' | 'clientPort'> & { protocol: number }): this {
    return this.add({ ...c, port: 0, clientPort: 0 });
  }

  /** Many connections at a fixed interval: `make(i, at)` describes the i-th. */
  repeat(times: number, every: number, start: number, make: (i: number, at: number) => Connection): this {
    for (let i = 0; i < times; i++) this.add(make(i, start + i * every));
    return this;
  }

  get size(): number {
    return this.records.length;
  }

  private add(c: Connection): this {
    const protocol = c.protocol ?? 6;
    const outcome = c.outcome ?? 'open';
    const clientPort = c.clientPort ?? this.ephemeral();
    const end = c.at + (c.duration ?? 1);
    const open = outcome === 'open';
    const outPackets = c.outPackets ?? (open ? 10 : 1);
    const outBytes = c.outBytes ?? (open ? 1200 : 60);
    const inPackets = c.inPackets ?? (open ? 8 : 1);
    const inBytes = c.inBytes ?? (open ? 4000 : 40);
    const tcp = protocol === 6;
    const serverEni = c.serverInterface ?? 'eni-server';
    const interfaces = c.interfaces ?? [serverEni];
    for (const eni of interfaces) {
      const forward = {
        src: c.loggedClient ?? c.client,
        dst: c.server,
        sp: clientPort,
        dp: c.port,
        packets: outPackets,
        bytes: outBytes,
        action: outcome === 'rejected' ? 'REJECT' : 'ACCEPT',
        flags: tcp ? (c.flags?.[0] ?? (open ? 3 : 2)) : '-',
        direction: eni === serverEni ? 'ingress' : 'egress',
      };
      this.push(eni, protocol, c, forward, c.at, end);
      if (outcome === 'dropped' || outcome === 'rejected') continue;
      this.push(
        eni,
        protocol,
        c,
        {
          src: c.server,
          dst: c.loggedClient ?? c.client,
          sp: c.port,
          dp: clientPort,
          packets: inPackets,
          bytes: inBytes,
          action: 'ACCEPT',
          flags: tcp ? (c.flags?.[1] ?? (open ? 19 : 4)) : '-',
          direction: eni === serverEni ? 'egress' : 'ingress',
        },
        c.at,
        end,
        true,
      );
    }
    return this;
  }

  private push(
    eni: string,
    protocol: number,
    c: Connection,
    r: {
      src: string;
      dst: string;
      sp: number;
      dp: number;
      packets: number;
      bytes: number;
      action: string;
      flags: number | string;
      direction: string;
    },
    start: number,
    end: number,
    reply = false,
  ): void {
    const nat = c.loggedClient !== undefined;
    this.records.push({
      version: 5,
      'account-id': '123456789012',
      'interface-id': eni,
      srcaddr: r.src,
      dstaddr: r.dst,
      srcport: r.sp,
      dstport: r.dp,
      protocol,
      packets: r.packets,
      bytes: r.bytes,
      start: Math.floor(start),
      end: Math.ceil(end),
      action: r.action,
      'log-status': 'OK',
      'tcp-flags': r.flags,
      'flow-direction': r.direction,
      'pkt-srcaddr': nat && !reply ? c.client : r.src,
      'pkt-dstaddr': nat && reply ? c.client : r.dst,
      'pkt-dst-aws-service': reply ? '-' : (c.awsService ?? '-'),
      'traffic-path': reply || r.direction !== 'egress' ? '-' : (c.trafficPath ?? '-'),
    });
  }

  private ephemeral(): number {
    this.nextPort = this.nextPort >= 65000 ? 40000 : this.nextPort + 1;
    return this.nextPort;
  }

  /** The records as an S3-style text file with a header line, keeping only `fields`. */
  text(fields: readonly Field[] = ALL_FIELDS): string {
    const lines = this.records.map((r) => fields.map((f) => r[f] ?? '-').join(' '));
    return `${fields.join(' ')}\n${lines.join('\n')}\n`;
  }
}

export interface ScanOptions {
  fields?: readonly Field[];
  config?: unknown;
  /** the catalogue to run (default: every registered detector) */
  detectors?: readonly Detector[];
}

/** Writes the builder's records to a temp file, ingests it in memory and runs the detectors. */
export async function scanBuilt(builder: FlowBuilder, options: ScanOptions = {}): Promise<Analysis> {
  const dir = await mkdtemp(join(tmpdir(), 'flowhawk-detector-'));
  const file = join(dir, 'flows.log');
  await writeFile(file, builder.text(options.fields));
  const store = await DuckdbStore.open();
  try {
    await ingest(store, [file]);
    const catalogue = options.detectors ?? DETECTORS;
    return await analyse(store, resolveConfig(catalogue, options.config ?? {}, 'test config'), catalogue);
  } finally {
    store.close();
  }
}

/**
 * Like scanBuilt, but runs one query after the scan's connection tables are built (fh_connections …),
 * with no detector: for feature queries outside a card (e.g. a card's coverage check). Numbers as numbers.
 */
export async function queryBuilt(
  builder: FlowBuilder,
  sql: string,
  options: Pick<ScanOptions, 'fields'> = {},
): Promise<Record<string, unknown>[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flowhawk-detector-'));
  const file = join(dir, 'flows.log');
  await writeFile(file, builder.text(options.fields));
  const store = await DuckdbStore.open();
  try {
    await ingest(store, [file]);
    await analyse(store, resolveConfig([], {}, 'test config'), []);
    return (await store.query(sql)).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  } finally {
    store.close();
  }
}

/** Findings of one detector, suppressed ones left out unless asked. */
export function findingsOf(analysis: Analysis, detector: string, withSuppressed = false) {
  return analysis.findings.filter((f) => f.detector === detector && (withSuppressed || !f.suppressed));
}

/** The default v2 fields without action and log-status: what a detector sees from a minimal custom format. */
export const BARE_FIELDS = [
  'version',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
] as const satisfies readonly Field[];

/** Writes each list to a temp file and returns the config's `threatLists` naming them. */
export async function threatListsConfig(
  lists: readonly { name: string; kind?: string; entries: readonly string[] }[],
): Promise<{ threatLists: { name: string; kind?: string; path: string }[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'flowhawk-lists-'));
  const threatLists = await Promise.all(
    lists.map(async ({ name, kind, entries }, i) => {
      const path = join(dir, `list${i}.txt`);
      await writeFile(path, `${entries.join('\n')}\n`);
      return { name, path, ...(kind ? { kind } : {}) };
    }),
  );
  return { threatLists };
}
