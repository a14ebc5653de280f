import { type Biflow, emitBiflow, isIpAddress, type Side } from './biflow.js';
import type { DecodedStream } from './decodedStream.js';
import { defineReader } from './defineReader.js';
import { addSeconds, civilToEpoch, isDecimalSeconds } from './epochSeconds.js';
import { isIcmp, protocolNumber, TCP } from './protocolNumbers.js';
import type { RecordSink } from './recordSink.js';
import { argusStateFlags } from './tcpFlags.js';
import { cellsWithoutLabels, excerpt, forEachLine, isLabelColumn } from './textLines.js';

export interface ArgusOptions {
  /**
   * Minutes east of UTC of the StartTime column (120 for +02:00). Argus prints local time without a
   * zone; undefined means UTC, and the reader says once that it assumed so.
   */
  utcOffsetMinutes?: number;
}

/**
 * Reads Argus bidirectional flow CSV, as `ra -c ,` writes it and the CTU-13 / Stratosphere
 * `.binetflow` files hold it: a header line naming the columns (`StartTime,Dur,Proto,SrcAddr,Sport,Dir,
 * DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes[,Label]`, other column sets work when they have
 * StartTime, Proto, SrcAddr and DstAddr), then one record per line. Each record becomes flow rows
 * (see biflow.ts): source → destination with the source's packets and bytes, and the reverse.
 *
 * `Dir` is not used: which side sent what is in the byte counts, and the arrow only says how sure
 * Argus was of who started (`?>`, `<?>`) or that it saw the answer first (`<-`). Label columns are
 * dropped. Non-IP records (ARP, RARP, IPX…), whose addresses are MACs or ARP targets, are bad lines.
 */
/** Argus CSV (`ra -c ,`): the CTU-13 column set begins so; other sets at least name both addresses. */
const ARGUS_HEADER = /^StartTime,(?:Dur,Proto,SrcAddr|.*\bSrcAddr\b.*\bDstAddr\b)/;

export const argusReader = defineReader({
  id: 'argus-binetflow',
  describe: ['Argus binetflow CSV (StartTime,Dur,Proto,SrcAddr,...); times without zone taken as UTC'],
  sniff: ({ line }) => ARGUS_HEADER.test(line),
  readText: (stream, sink, { utcOffsetMinutes }) =>
    readArgusBinetflow(stream, sink, utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes }),
  connectionLog: true,
});

export async function readArgusBinetflow(
  decoded: DecodedStream,
  sink: RecordSink,
  options: ArgusOptions = {},
): Promise<void> {
  const reader = new ArgusReader(sink, options);
  await forEachLine(decoded, sink, (text, line) => reader.line(text, line));
}

/** What is wrong with a record; thrown while it is converted, reported as its bad line. */
class RecordProblem extends Error {}

const REQUIRED = ['StartTime', 'Proto', 'SrcAddr', 'DstAddr'];

/** `2011/08/18 15:40:53.826372`, as ra prints dates (also with '-' and 'T'). */
const ARGUS_TIME = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

class ArgusReader {
  private columns: Map<string, number> | undefined;
  private width = 0;
  private labelCells = new Set<number>();
  private lastIsLabel = false;
  private zoneWarned = false;
  private labelsWarned = false;

  constructor(
    private readonly sink: RecordSink,
    private readonly options: ArgusOptions,
  ) {}

  async line(raw: string, line: number): Promise<void> {
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.startsWith('StartTime,')) {
      this.header(text, line);
      return;
    }
    const cells = text.split(',').map((cell) => cell.trim());
    try {
      await emitBiflow(this.sink, line, this.biflow(cells, text));
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      this.sink.badLine(line, error.message, this.excerpt(cells));
    }
  }

  private header(text: string, line: number): void {
    const names = text.split(',').map((name) => name.trim());
    this.columns = new Map(names.map((name, at) => [name, at]));
    this.width = names.length;
    this.labelCells = new Set(names.flatMap((name, at) => (isLabelColumn(name) ? [at] : [])));
    this.lastIsLabel = this.labelCells.has(names.length - 1);
    const missing = REQUIRED.filter((name) => !this.columns?.has(name));
    if (missing.length > 0)
      this.sink.warn(`line ${line}: the header has no ${missing.join(', ')} column: records cannot be read`);
    const labels = names.filter((name) => isLabelColumn(name));
    if (labels.length > 0 && !this.labelsWarned) {
      this.labelsWarned = true;
      this.sink.warn(`label column(s) ${labels.join(', ')} dropped: ground truth is never stored`);
    }
    this.sink.header(line);
  }

  private biflow(cells: string[], text: string): Biflow {
    if (text.trim() === '') throw new RecordProblem('empty line');
    if (!this.columns) throw new RecordProblem('record before the header line (StartTime,Dur,Proto,…)');
    // a label holding commas spills into extra cells; the label is dropped anyway
    if (cells.length !== this.width && !(cells.length > this.width && this.lastIsLabel))
      throw new RecordProblem(`${cells.length} fields where the header has ${this.width}`);
    const get = (name: string) => {
      const at = this.columns?.get(name);
      const value = at === undefined ? undefined : cells[at];
      return value === '' ? undefined : value;
    };
    const missing = REQUIRED.filter((name) => get(name) === undefined);
    if (missing.length > 0) throw new RecordProblem(`no ${missing.join(', ')} value`);

    const protoName = get('Proto') as string;
    const found = protocolNumber(protoName);
    if ('notIp' in found)
      throw new RecordProblem(
        `Proto "${protoName.slice(0, 20)}" is not IP: a link-layer record (addresses are MACs or ARP targets), no flow`,
      );
    if ('unknown' in found)
      throw new RecordProblem(`Proto "${protoName.slice(0, 20)}" is no protocol flowhawk knows`);
    const protocol = found.number;

    const start = this.time('StartTime', get('StartTime') as string);
    const last = get('LastTime');
    const duration = get('Dur');
    const end =
      last !== undefined
        ? this.time('LastTime', last)
        : duration !== undefined
          ? addSeconds(start, decimal('Dur', duration))
          : start;
    if (!isDecimalSeconds(end)) throw new RecordProblem(`StartTime + Dur (${end}) is beyond the year 2106`);

    const srcAddr = address('SrcAddr', get('SrcAddr') as string);
    const dstAddr = address('DstAddr', get('DstAddr') as string);
    const ports = isIcmp(protocol)
      ? icmpTypeAndCode(get('Sport'))
      : [port('Sport', get('Sport')), port('Dport', get('Dport'))];
    const state = get('State');
    const flags = protocol === TCP && state !== undefined ? argusStateFlags(state) : undefined;
    const [srcCounts, dstCounts] = directionCounts(get);
    return {
      orig: { addr: srcAddr, port: ports[0], ...srcCounts, flags: flags?.orig },
      resp: { addr: dstAddr, port: ports[1], ...dstCounts, flags: flags?.resp },
      protocol,
      start,
      end,
    };
  }

  private time(name: string, value: string): string {
    if (/^\d+(?:\.\d+)?$/.test(value)) {
      // `ra -u` prints Unix seconds: no zone to guess
      if (!isDecimalSeconds(value))
        throw new RecordProblem(`${name} "${value.slice(0, 40)}" is beyond the year 2106`);
      return value;
    }
    const match = ARGUS_TIME.exec(value);
    if (!match)
      throw new RecordProblem(
        `${name} "${value.slice(0, 40)}" is not a date and time (YYYY/MM/DD hh:mm:ss[.ffffff]) or Unix seconds`,
      );
    const offset = this.options.utcOffsetMinutes;
    if (offset === undefined && !this.zoneWarned) {
      this.zoneWarned = true;
      this.sink.warn(
        `${name} has no time zone: taken as UTC (if the capture was written in local time, give its offset, e.g. utcOffsetMinutes 120 for +02:00)`,
      );
    }
    const [, year, month, day, hour, minute, second, fraction = ''] = match;
    const seconds = civilToEpoch(
      {
        year: Number(year),
        month: Number(month),
        day: Number(day),
        hour: Number(hour),
        minute: Number(minute),
        second: Number(second),
      },
      fraction,
      offset ?? 0,
    );
    if (seconds === undefined || !isDecimalSeconds(seconds))
      throw new RecordProblem(
        `${name} "${value.slice(0, 40)}" is no valid date and time between 1970 and 2106`,
      );
    return seconds;
  }

  /** The record for the bad-line report, label cells left out (ground truth must not reach the store). */
  private excerpt(cells: readonly string[]): string {
    // before any header the label's place is unknown: CTU-13 labels at least start with "flow="
    const kept = this.columns
      ? cellsWithoutLabels(cells, this.width, this.labelCells)
      : cells.filter((cell) => !cell.startsWith('flow='));
    return excerpt(kept.join(','));
  }
}

function address(name: string, value: string): string {
  if (!isIpAddress(value))
    throw new RecordProblem(`${name} "${value.slice(0, 40)}" is not an IPv4 or IPv6 address`);
  return value;
}

function decimal(name: string, value: string): string {
  if (!/^\d+(?:\.\d+)?$/.test(value))
    throw new RecordProblem(`${name} "${value.slice(0, 40)}" is not seconds`);
  return value;
}

/** A port as ra prints it: decimal, or hex (`0x01bb`) for some protocols and options; empty when none. */
function portNumber(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = /^0x[0-9a-f]{1,4}$/i.test(value)
    ? Number.parseInt(value.slice(2), 16)
    : /^\d{1,5}$/.test(value)
      ? Number(value)
      : Number.NaN;
  if (!(number <= max))
    throw new RecordProblem(`${name} "${value.slice(0, 40)}" is not a port (0-${max}, decimal or 0x hex)`);
  return number;
}

const port = (name: string, value: string | undefined) => portNumber(name, value, 65535);

/**
 * ICMP type and code. Argus keeps them where a port pair would be (struct ArgusICMPFlow: type, code,
 * id), so its Sport prints the two bytes as one little-endian 16-bit number: 0x0303 is type 3 code 3
 * (port unreachable), 0x0103 type 3 code 1, 0x0008 type 8 (echo request). Dport holds the ICMP id,
 * which is no code and is dropped. Canonical: src_port = type, dst_port = code (see biflow.ts).
 */
function icmpTypeAndCode(sport: string | undefined): [number | undefined, number | undefined] {
  const packed = portNumber('Sport', sport, 65535);
  if (packed === undefined) return [undefined, undefined];
  return [packed & 0xff, packed >> 8];
}

function counter(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new RecordProblem(`${name} "${value.slice(0, 40)}" is not an integer count`);
  return Number(value);
}

type Counts = Pick<Side, 'packets' | 'bytes'>;

/**
 * Packets and bytes per direction. Argus column sets with SrcPkts/DstPkts give them; the CTU-13 set
 * gives only TotPkts, TotBytes and SrcBytes. Then the destination's bytes are TotBytes - SrcBytes and
 * the packets are an estimate: TotPkts split in proportion to the bytes, at least one packet for each
 * direction that sent bytes. Without the bytes per direction nothing can be split: the source gets all.
 */
function directionCounts(get: (name: string) => string | undefined): [Counts, Counts] {
  const total = { packets: counter('TotPkts', get('TotPkts')), bytes: counter('TotBytes', get('TotBytes')) };
  let srcBytes = counter('SrcBytes', get('SrcBytes'));
  let dstBytes = counter('DstBytes', get('DstBytes'));
  if (total.bytes !== undefined) {
    if (srcBytes !== undefined && srcBytes > total.bytes)
      throw new RecordProblem(`SrcBytes ${srcBytes} is more than TotBytes ${total.bytes}`);
    if (srcBytes === undefined && dstBytes !== undefined && dstBytes <= total.bytes)
      srcBytes = total.bytes - dstBytes;
    if (dstBytes === undefined && srcBytes !== undefined) dstBytes = total.bytes - srcBytes;
  }
  let srcPkts = counter('SrcPkts', get('SrcPkts'));
  let dstPkts = counter('DstPkts', get('DstPkts'));
  if (total.packets !== undefined) {
    if (srcPkts !== undefined && srcPkts > total.packets)
      throw new RecordProblem(`SrcPkts ${srcPkts} is more than TotPkts ${total.packets}`);
    if (srcPkts !== undefined && dstPkts === undefined) dstPkts = total.packets - srcPkts;
    if (srcPkts === undefined && dstPkts !== undefined && dstPkts <= total.packets)
      srcPkts = total.packets - dstPkts;
    if (srcPkts === undefined && dstPkts === undefined) {
      if (srcBytes === undefined || dstBytes === undefined)
        return [
          { packets: total.packets, bytes: srcBytes ?? total.bytes },
          { packets: undefined, bytes: dstBytes },
        ];
      [srcPkts, dstPkts] = splitPackets(total.packets, srcBytes, dstBytes);
    }
  }
  return [
    { packets: srcPkts, bytes: srcBytes },
    { packets: dstPkts, bytes: dstBytes },
  ];
}

/** An estimate (see directionCounts): packets in proportion to bytes, ≥ 1 for a side with bytes. */
function splitPackets(packets: number, srcBytes: number, dstBytes: number): [number, number] {
  if (dstBytes === 0) return [packets, 0];
  if (srcBytes === 0) return [0, packets];
  const src = Math.min(
    Math.max(Math.round((packets * srcBytes) / (srcBytes + dstBytes)), 1),
    Math.max(packets - 1, 1),
  );
  return [src, Math.max(packets - src, 1)];
}
