import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/config.js';
import { DETECTORS, type Detector } from '../../src/detectors/index.js';
import { type Analysis, analyse } from '../../src/engine/analyse.js';
import { ingest } from '../../src/ingest/ingest.js';
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

type Field = (typeof ALL_FIELDS)[number];

export interface Connection {
  client: string;
  server: string;
  /** server port (ICMP: 0) */
  port: number;
  /** client port; a fresh ephemeral port when absent */
  clientPort?: number;
  protocol?: 6 | 17 | 1 | 58;
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
        flags: tcp ? (open ? 3 : 2) : '-',
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
          flags: tcp ? (open ? 19 : 4) : '-',
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
    });
  }

  private ephemeral(): number {
    this.nextPort = this.nextPort >= 65000 ? 40000 : this.nextPort + 1;
    return this.nextPort;
  }

  /** The records as an S3-style text file with a header line, keeping only `fields`. */
  text(fields: readonly Field[] = ALL_FIELDS): string {
    const lines = this.records.map((r) => fields.map((f) => r[f]).join(' '));
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
