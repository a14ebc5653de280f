/**
 * Builds the text of one delivered flow-log file: the header line, then exactly `count` records.
 *
 * The traffic events in corpusEvents.ts (or corpusWorstCase.ts) drive a FileBuilder, which knows none
 * of them: they set up an exchange (times, flags, sizes) and emit one record per interface and
 * direction that AWS would log.
 */
import type { Eni, FlowLog, FormatName, World } from './corpusWorld.js';
import { FORMAT_FIELDS } from './corpusWorld.js';
import { LineWriter } from './lineWriter.js';
import type { Prng } from './prng.js';

/** One flow record; events fill it and `emit` formats it. Fields hold '-' where AWS would log '-'. */
export interface Rec {
  eni: Eni;
  src: string;
  dst: string;
  pktSrc: string;
  pktDst: string;
  sport: number;
  dport: number;
  proto: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: string;
  flags: number;
  v6: boolean;
  srcSvc: string;
  dstSvc: string;
  egress: boolean;
  /** egress path code; ingress records always carry '-' */
  path: string;
}

type Formatter = (w: LineWriter, r: Rec, fl: FlowLog) => void;

/** Emits the records of one traffic event into the file (corpusEvents.ts, corpusWorstCase.ts). */
export type RecordEvent = (b: FileBuilder) => void;

const ipType = (r: Rec): string => (r.v6 ? 'IPv6' : 'IPv4');
const direction = (r: Rec): string => (r.egress ? 'egress' : 'ingress');
const path = (r: Rec): string => (r.egress ? r.path : '-');

/** One writer per format; the field order is that of the format's header line. */
// biome-ignore format: one field list per line reads like the header it mirrors
const FORMATTERS: Readonly<Record<FormatName, Formatter>> = {
  v2: (w, r, fl) =>
    w.f(2).f(fl.account).f(r.eni.id).f(r.src).f(r.dst).f(r.sport).f(r.dport).f(r.proto).f(r.packets).f(r.bytes)
      .f(r.start).f(r.end).f(r.action).f('OK').end(),
  v5: (w, r, fl) =>
    w.f(5).f(fl.account).f(r.eni.id).f(r.src).f(r.dst).f(r.sport).f(r.dport).f(r.proto).f(r.packets).f(r.bytes)
      .f(r.start).f(r.end).f(r.action).f('OK').f(fl.vpcId).f(r.eni.subnetId).f(r.eni.instanceId).f(r.flags)
      .f(ipType(r)).f(r.pktSrc).f(r.pktDst).f(fl.region).f(r.eni.azId).f(r.srcSvc).f(r.dstSvc).f(direction(r))
      .f(path(r)).end(),
  'v5-noaction': (w, r, fl) =>
    w.f(fl.account).f(5).f(r.eni.id).f(r.src).f(r.sport).f(r.dst).f(r.dport).f(r.proto).f(r.packets).f(r.bytes)
      .f(r.start).f(r.end).f(r.flags).f(ipType(r)).f(direction(r)).f(path(r)).end(),
};

export interface FileCounts {
  flows: number;
  nodata: number;
  skipdata: number;
}

/** Length of the capture window each file covers, seconds. */
export const WINDOW_SECONDS = 300;

/** The request/response pair of one exchange, so both directions share flags and sizes. */
interface Exchange {
  reqFlags: number;
  respFlags: number;
  reqPackets: number;
  reqBytes: number;
  respPackets: number;
  respBytes: number;
}

export class FileBuilder {
  readonly r: Rec;
  private readonly x: Exchange = {
    reqFlags: 0,
    respFlags: 0,
    reqPackets: 0,
    reqBytes: 0,
    respPackets: 0,
    respBytes: 0,
  };
  private readonly w: LineWriter;
  private readonly fmt: Formatter;

  constructor(
    readonly world: World,
    readonly fl: FlowLog,
    readonly windowStart: number,
    private readonly count: number,
    readonly rng: Prng,
    private readonly counts: FileCounts,
  ) {
    this.fmt = FORMATTERS[fl.format];
    this.w = new LineWriter(count * 200 + 1024);
    this.w.f(FORMAT_FIELDS[fl.format]).end();
    // biome-ignore format: one record, laid out compactly
    this.r = {
      eni: this.any(fl.enis), src: '', dst: '', pktSrc: '', pktDst: '', sport: 0, dport: 0, proto: 6,
      packets: 0, bytes: 0, start: 0, end: 0, action: 'ACCEPT', flags: 0, v6: false,
      srcSvc: '-', dstSvc: '-', egress: true, path: '1',
    };
  }

  /**
   * Writes records until the file is full (the last event is cut short to hit `count` exactly), then
   * shuffles them: AWS files do not keep the records of one connection together, and leaving them
   * adjacent would make the corpus far more compressible than real logs. `next` makes the records:
   * the realistic mix (corpusEvents.ts) or the worst case's (corpusWorstCase.ts).
   */
  build(next: RecordEvent): Buffer {
    while (!this.full()) next(this);
    return this.w.shuffled(1, (n) => this.rng.int(n));
  }

  full(): boolean {
    return this.w.lines > this.count; // the first line is the header
  }

  any<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('corpus world has an empty role');
    return this.rng.pick(items);
  }

  /** Clears per-event fields so nothing leaks from the previous event. */
  reset(v6: boolean, path: string): void {
    const r = this.r;
    r.proto = 6;
    r.action = 'ACCEPT';
    r.v6 = v6;
    r.srcSvc = '-';
    r.dstSvc = '-';
    r.path = path;
  }

  /** Picks times, TCP flags and heavy-tailed sizes for one exchange and loads the request side. */
  exchange(respSizeLo: number, respSizeHi: number): void {
    const { rng, r, x } = this;
    const phase = rng.float();
    // Most connections open and close inside one aggregation interval (SYN+FIN, SYN-ACK+FIN); the rest
    // are seen opening, closing, or mid-stream.
    x.reqFlags = 3;
    x.respFlags = 19;
    let dur = rng.int(8);
    if (phase >= 0.6) {
      dur = 30 + rng.int(31);
      if (phase < 0.75) [x.reqFlags, x.respFlags] = [2, 18];
      else if (phase < 0.85) [x.reqFlags, x.respFlags] = [1, 1];
      else [x.reqFlags, x.respFlags] = [0, 0];
    }
    r.start = this.windowStart + rng.int(WINDOW_SECONDS - dur);
    r.end = r.start + dur;
    x.reqPackets = rng.pareto(2, 1.15, 2_000_000);
    x.respPackets = Math.max(1, Math.round(x.reqPackets * (0.7 + rng.float() * 0.9)));
    x.reqBytes = x.reqPackets * rng.range(52, 240);
    x.respBytes = x.respPackets * rng.range(respSizeLo, respSizeHi);
    this.asRequest();
  }

  asRequest(): void {
    this.r.flags = this.x.reqFlags;
    this.r.packets = this.x.reqPackets;
    this.r.bytes = this.x.reqBytes;
  }

  asResponse(): void {
    this.r.flags = this.x.respFlags;
    this.r.packets = this.x.respPackets;
    this.r.bytes = this.x.respBytes;
  }

  /** Writes one flow record as captured on `eni`; pkt-* differ from src/dst only across a NAT hop. */
  emit(
    eni: Eni,
    egress: boolean,
    src: string,
    dst: string,
    sport: number,
    dport: number,
    pktSrc = src,
    pktDst = dst,
  ) {
    if (this.full()) return;
    const r = this.r;
    r.eni = eni;
    r.egress = egress;
    r.src = src;
    r.dst = dst;
    r.pktSrc = pktSrc;
    r.pktDst = pktDst;
    r.sport = sport;
    r.dport = dport;
    this.fmt(this.w, r, this.fl);
    this.counts.flows++;
  }

  /** NODATA / SKIPDATA: only version, account, interface, start, end and log-status are set. */
  health(eni: Eni, status: 'NODATA' | 'SKIPDATA'): void {
    if (this.full()) return;
    const fl = this.fl;
    const start = this.windowStart + this.rng.int(WINDOW_SECONDS - 60);
    const end = start + 60;
    const w = this.w;
    w.f(fl.format === 'v2' ? 2 : 5)
      .f(fl.account)
      .f(eni.id);
    for (let i = 0; i < 7; i++) w.f('-'); // srcaddr .. bytes
    w.f(start).f(end).f('-').f(status);
    if (fl.format === 'v5') for (let i = 0; i < 13; i++) w.f('-'); // vpc-id .. traffic-path
    w.end();
    if (status === 'NODATA') this.counts.nodata++;
    else this.counts.skipdata++;
  }
}

/**
 * Generates one file body (header + `count` records); `counts` accumulates what it wrote. `next`:
 * the event that makes the records (realisticEvent or the worst case's).
 */
export function buildFile(
  world: World,
  fl: FlowLog,
  windowStart: number,
  count: number,
  rng: Prng,
  counts: FileCounts,
  next: RecordEvent,
): Buffer {
  return new FileBuilder(world, fl, windowStart, count, rng, counts).build(next);
}
