import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestInMemory } from '../../test/helpers/ingestInMemory.js';
import { awsTcpFlags, type FlowRecord, renderFlowLog, toFlowRecords } from './flowLog.js';
import { decodeIp, ipv6Text } from './ipPacket.js';
import { buildPcap, type PacketSpec } from './pcapBuilder.js';
import { readPcap } from './pcapFile.js';
import { checkPlan, type Plan } from './plan.js';

const SYN = 0x02;
const SYN_ACK = 0x12;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;
const RST = 0x04;
const RST_ACK = 0x14;

const PLAN: Plan = checkPlan({
  accountId: '123456789012',
  region: 'eu-west-1',
  azId: 'euw1-az1',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  vpcCidrs: ['10.0.0.0/16'],
  intervalSeconds: 60,
  hosts: [
    {
      loopback: '127.0.0.10',
      address: '10.0.1.10',
      eni: 'eni-0000000000000010a',
      instance: 'i-0000000000000010a',
      subnet: 'subnet-00000000000001',
      inbound: [{ protocol: 'tcp', ports: [22, 80] }, { protocol: 'icmp' }],
    },
    {
      loopback: '127.0.0.11',
      address: '10.0.1.11',
      eni: 'eni-0000000000000011a',
      instance: 'i-0000000000000011a',
      subnet: 'subnet-00000000000001',
      inbound: [{ protocol: 'tcp', ports: [[8000, 8999]], from: ['10.0.0.0/16'] }],
    },
  ],
  others: { '127.0.0.66': '198.51.100.66' },
});

const T = 1_764_000_000; // a multiple of 60: windows start on it

const tcp = (
  time: number,
  from: [string, number],
  to: [string, number],
  flags: number,
  payload = 0,
): PacketSpec => ({
  time,
  src: from[0],
  dst: to[0],
  protocol: 'tcp',
  srcPort: from[1],
  dstPort: to[1],
  flags,
  payload,
});

/** A complete exchange: handshake, a request and a reply, both FINs. */
function exchange(t: number, client: [string, number], server: [string, number]): PacketSpec[] {
  return [
    tcp(t, client, server, SYN),
    tcp(t + 0.001, server, client, SYN_ACK),
    tcp(t + 0.002, client, server, ACK),
    tcp(t + 0.003, client, server, PSH_ACK, 100),
    tcp(t + 0.004, server, client, PSH_ACK, 500),
    tcp(t + 0.005, client, server, FIN_ACK),
    tcp(t + 0.006, server, client, FIN_ACK),
    tcp(t + 0.007, client, server, ACK),
  ];
}

function convert(specs: PacketSpec[], plan: Plan = PLAN) {
  const capture = readPcap(buildPcap(specs));
  const packets = capture.packets.map((c) => {
    const packet = decodeIp(c.ip, c.wireLength);
    if (!packet) throw new Error('test packet did not decode');
    return { time: c.time, packet };
  });
  return toFlowRecords(packets, plan);
}

const brief = (r: FlowRecord) =>
  `${r.eni} ${r.direction} ${r.src}:${r.srcPort}>${r.dst}:${r.dstPort} ${r.action} p${r.packets} b${r.bytes} f${r.tcpFlags}`;

describe('readPcap', () => {
  const specs = [tcp(T + 0.25, ['127.0.0.66', 40000], ['127.0.0.10', 80], SYN)];

  it('reads Ethernet frames of either byte order, micro- or nanosecond stamps', () => {
    for (const littleEndian of [true, false]) {
      for (const nanoseconds of [true, false]) {
        const capture = readPcap(buildPcap(specs, { littleEndian, nanoseconds }));
        expect(capture.linkType).toBe(1);
        expect(capture.packets).toHaveLength(1);
        expect(capture.packets[0]?.time).toBeCloseTo(T + 0.25, 6);
        expect(capture.packets[0]?.ip[0]).toBe(0x45);
        expect(capture.packets[0]?.wireLength).toBe(40);
      }
    }
  });

  it('drops the OUTGOING copy of a loopback packet in a Linux cooked capture (-i any)', () => {
    const twice = [...specs, ...specs];
    const capture = readPcap(buildPcap(twice, { linkType: 113, packetTypes: [4, 0] }));
    expect(capture.packets).toHaveLength(1);
    expect(capture.skipped).toBe(1);
  });

  it('drops a record cut short at the end of the file, and refuses what is not pcap', () => {
    const bytes = buildPcap([...specs, ...specs]);
    expect(readPcap(bytes.subarray(0, bytes.length - 5)).packets).toHaveLength(1);
    expect(() => readPcap(new Uint8Array(24))).toThrow(/not a classic pcap/);
  });
});

describe('decodeIp', () => {
  it('reads addresses, ports, flags and the IP length of a TCP segment', () => {
    const capture = readPcap(buildPcap([tcp(T, ['127.0.0.66', 40000], ['127.0.0.10', 22], PSH_ACK, 60)]));
    const packet = capture.packets[0] && decodeIp(capture.packets[0].ip);
    expect(packet).toMatchObject({
      src: '127.0.0.66',
      dst: '127.0.0.10',
      protocol: 6,
      srcPort: 40000,
      dstPort: 22,
      tcpFlags: PSH_ACK,
      length: 100,
    });
  });

  it('gives ICMP ports 0, as VPC flow logs do', () => {
    const capture = readPcap(
      buildPcap([{ time: T, src: '127.0.0.66', dst: '127.0.0.10', protocol: 'icmp' }]),
    );
    const packet = capture.packets[0] && decodeIp(capture.packets[0].ip);
    expect(packet).toMatchObject({ protocol: 1, srcPort: 0, dstPort: 0, length: 28 });
  });

  it('reads an IPv6 UDP datagram: addresses, ports, the length with its 40-byte header', () => {
    const ip = new Uint8Array(40 + 8 + 20);
    const view = new DataView(ip.buffer);
    view.setUint8(0, 0x60);
    view.setUint16(4, 28);
    view.setUint8(6, 17);
    ip.set([0x20, 0x01, 0x0d, 0xb8], 8);
    ip[23] = 0x66;
    ip[39] = 0x10;
    view.setUint16(40, 5353);
    view.setUint16(42, 53);
    expect(decodeIp(ip)).toMatchObject({
      src: '2001:db8::66',
      dst: '::10',
      protocol: 17,
      srcPort: 5353,
      dstPort: 53,
      length: 68,
      version: 6,
    });
  });

  it('writes IPv6 addresses in RFC 5952 form', () => {
    const bytes = new Uint8Array(16);
    bytes[0] = 0x20;
    bytes[1] = 0x01;
    bytes[2] = 0x0d;
    bytes[3] = 0xb8;
    bytes[15] = 1;
    expect(ipv6Text(bytes)).toBe('2001:db8::1');
    expect(ipv6Text(new Uint8Array(16))).toBe('::');
  });
});

describe('awsTcpFlags', () => {
  it('keeps only what VPC flow logs record: FIN 1, SYN 2, RST 4, SYN-ACK 18', () => {
    expect([SYN, SYN_ACK, ACK, PSH_ACK, FIN_ACK, RST, RST_ACK].map(awsTcpFlags)).toEqual([
      2, 18, 0, 0, 1, 4, 4,
    ]);
  });
});

describe('toFlowRecords', () => {
  it('logs an admitted exchange once per direction on the instance ENI, flags OR-ed, bytes summed', () => {
    const { records } = convert(exchange(T + 5, ['127.0.0.66', 40000], ['127.0.0.10', 80]));
    expect(records.map(brief)).toEqual([
      'eni-0000000000000010a egress 10.0.1.10:80>198.51.100.66:40000 ACCEPT p3 b620 f19',
      'eni-0000000000000010a ingress 198.51.100.66:40000>10.0.1.10:80 ACCEPT p5 b300 f3',
    ]);
    expect(records[0]).toMatchObject({ start: T + 5, end: T + 5 });
  });

  it('splits a 5-tuple at each aggregation window, and not within one', () => {
    const specs = [0, 30, 59.9, 60, 130].map((s) => ({
      time: T + s,
      src: '127.0.0.66',
      dst: '127.0.0.10',
      protocol: 'icmp' as const,
    }));
    const ingress = convert(specs).records.filter((r) => r.direction === 'ingress');
    expect(ingress.map((r) => [r.packets, r.start, r.end])).toEqual([
      [3, T, T + 59],
      [1, T + 60, T + 60],
      [1, T + 130, T + 130],
    ]);
    const ten = convert(specs, { ...PLAN, intervalSeconds: 600 }).records.filter(
      (r) => r.direction === 'ingress',
    );
    expect(ten.map((r) => r.packets)).toEqual([5]);
  });

  it('rejects a port the security group does not admit and drops the loopback answers to it', () => {
    const scanner: [string, number] = ['127.0.0.66', 50000];
    const conversion = convert([
      tcp(T, scanner, ['127.0.0.10', 3306], SYN),
      tcp(T + 0.001, ['127.0.0.10', 3306], scanner, SYN_ACK),
      tcp(T + 0.002, scanner, ['127.0.0.10', 3306], RST),
      tcp(T + 1, scanner, ['127.0.0.10', 23], SYN),
      tcp(T + 1.001, ['127.0.0.10', 23], scanner, RST_ACK),
      // an admitted port that nothing listens on: the RST is real and logged
      tcp(T + 2, scanner, ['127.0.0.10', 22], SYN),
      tcp(T + 2.001, ['127.0.0.10', 22], scanner, RST_ACK),
    ]);
    expect(conversion.records.map(brief)).toEqual([
      'eni-0000000000000010a ingress 198.51.100.66:50000>10.0.1.10:3306 REJECT p1 b40 f2',
      'eni-0000000000000010a ingress 198.51.100.66:50000>10.0.1.10:23 REJECT p1 b40 f2',
      'eni-0000000000000010a egress 10.0.1.10:22>198.51.100.66:50000 ACCEPT p1 b40 f4',
      'eni-0000000000000010a ingress 198.51.100.66:50000>10.0.1.10:22 ACCEPT p1 b40 f2',
    ]);
    expect(conversion.droppedReplies).toBe(3);
  });

  it('logs nothing sent from a forged address, and rejects the backscatter it draws', () => {
    const victim: [string, number] = ['127.0.0.66', 80];
    const spoofed: [string, number] = ['127.0.0.10', 41000];
    const plan = {
      ...PLAN,
      hosts: PLAN.hosts.map((h) => (h.loopback === '127.0.0.10' ? { ...h, forged: true } : h)),
    };
    const conversion = convert(
      [
        tcp(T, spoofed, victim, SYN),
        tcp(T + 0.001, victim, spoofed, SYN_ACK),
        tcp(T + 0.002, spoofed, victim, RST),
      ],
      plan,
    );
    expect(conversion.records.map(brief)).toEqual([
      'eni-0000000000000010a ingress 198.51.100.66:80>10.0.1.10:41000 REJECT p1 b40 f18',
    ]);
    expect(conversion.forged).toBe(2);
  });

  it('admits the replies to a connection the instance opened, whatever the port', () => {
    const { records } = convert(exchange(T, ['127.0.0.10', 45000], ['127.0.0.66', 443]));
    expect(records.map((r) => `${r.direction} ${r.action}`)).toEqual(['egress ACCEPT', 'ingress ACCEPT']);
  });

  it('logs traffic between two instances on both ENIs, and honours a rule restricted by source', () => {
    const { records } = convert([
      ...exchange(T, ['127.0.0.10', 45000], ['127.0.0.11', 8080]),
      tcp(T + 1, ['127.0.0.66', 41000], ['127.0.0.11', 8080], SYN),
    ]);
    const summary = records.map((r) => `${r.eni.slice(-4)} ${r.direction} ${r.src}>${r.dst} ${r.action}`);
    expect(summary).toEqual([
      '010a egress 10.0.1.10>10.0.1.11 ACCEPT',
      '010a ingress 10.0.1.11>10.0.1.10 ACCEPT',
      '011a egress 10.0.1.11>10.0.1.10 ACCEPT',
      '011a ingress 10.0.1.10>10.0.1.11 ACCEPT',
      '011a ingress 198.51.100.66>10.0.1.11 REJECT',
    ]);
  });

  it('counts packets between addresses the plan does not name, and logs none of them', () => {
    const conversion = convert([tcp(T, ['127.0.0.1', 40000], ['127.0.0.10', 80], SYN)]);
    expect(conversion.records).toEqual([]);
    expect(conversion.unplanned).toBe(1);
  });
});

describe('renderFlowLog', () => {
  it('writes AWS default format (v2) when the plan asks: 14 fields, no flags or direction', () => {
    const { records } = convert(exchange(T + 5, ['127.0.0.66', 40000], ['127.0.0.10', 80]));
    const lines = renderFlowLog(records, { ...PLAN, format: 'v2' })
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    );
    expect(lines[1]).toBe(
      `2 123456789012 eni-0000000000000010a 10.0.1.10 198.51.100.66 80 40000 6 3 620 ${T + 5} ${T + 5} ACCEPT OK`,
    );
  });
});

describe('checkPlan', () => {
  it('refuses an interval AWS does not offer and a host planned twice', () => {
    expect(() => checkPlan({ ...PLAN, intervalSeconds: 300 })).toThrow(/60 or 600/);
    expect(() => checkPlan({ ...PLAN, hosts: [PLAN.hosts[0], PLAN.hosts[0]] })).toThrow(/twice/);
  });
});

describe('renderFlowLog read by flowhawk', () => {
  const dir = mkdtemp(join(tmpdir(), 'fh-pcap-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('writes a v5 S3 log file that flowhawk ingests record for record, fields intact', async () => {
    const { records } = convert([
      ...exchange(T + 5, ['127.0.0.66', 40000], ['127.0.0.10', 80]),
      tcp(T + 6, ['127.0.0.66', 40001], ['127.0.0.10', 3306], SYN),
    ]);
    const text = renderFlowLog(records, PLAN);
    expect(text.split('\n')[0]).toMatch(
      /^version account-id interface-id srcaddr .* flow-direction traffic-path$/,
    );
    const path = join(await dir, '123456789012_vpcflowlogs_eu-west-1_fl-1_20251124T1600Z_hash.log.gz');
    await writeFile(path, gzipSync(text));
    const { store, summary, rows } = await ingestInMemory([path]);
    try {
      expect(summary.records).toBe(3);
      const read = await rows(
        `SELECT action, tcp_flags, flow_direction, traffic_path, packets, bytes FROM flows ORDER BY flow_direction, action`,
      );
      expect(read).toEqual([
        {
          action: 'ACCEPT',
          tcp_flags: 19,
          flow_direction: 'egress',
          traffic_path: 8,
          packets: 3,
          bytes: 620,
        },
        {
          action: 'ACCEPT',
          tcp_flags: 3,
          flow_direction: 'ingress',
          traffic_path: null,
          packets: 5,
          bytes: 300,
        },
        {
          action: 'REJECT',
          tcp_flags: 2,
          flow_direction: 'ingress',
          traffic_path: null,
          packets: 1,
          bytes: 40,
        },
      ]);
    } finally {
      store.close();
    }
  });
});
