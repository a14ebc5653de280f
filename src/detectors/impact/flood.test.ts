import { describe, expect, it } from 'vitest';
import { BARE_FIELDS, FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';
import dos from './dos.js';
import flood from './flood.js';

/** Midnight UTC: windows of a minute start on it. */
const T = 1_699_920_000;
const WEB = '10.0.1.10';
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors: [flood], ...options });

/** The i-th of many internet addresses (198.18.0.0/15, benchmarking space). */
const source = (i: number) => `198.18.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`;

/** `perSecond` unanswered SYNs a second to WEB:443 for a minute, from `sources` spoofed addresses. */
const synFlood = (perSecond: number, sources: number, flows = new FlowBuilder()) =>
  flows.repeat(perSecond * 60, 1 / perSecond, T, (i, at) => ({
    client: source(i % sources),
    server: WEB,
    port: 443,
    at,
    outcome: 'dropped',
  }));

/** A busy public web server: `perSecond` answered HTTPS connections a second for a minute. */
const busyWeb = (perSecond: number, clients: number, flows = new FlowBuilder()) =>
  flows.repeat(perSecond * 60, 1 / perSecond, T, (i, at) => ({
    client: source(i % clients),
    server: WEB,
    port: 443,
    at,
    duration: 2,
    outPackets: 12,
    outBytes: 1800,
    inPackets: 14,
    inBytes: 16_000,
  }));

describe('flood', () => {
  it('names the web server under a distributed SYN flood, medium', async () => {
    const [finding, ...rest] = findingsOf(await scan(synFlood(250, 3000)), 'flood');
    expect(rest).toHaveLength(0);
    // the victim is the target; the flooders are the sources, every one of them listed
    expect(finding).toMatchObject({ target: WEB, targetCount: 1, direction: 'inbound', severity: 'medium' });
    expect(finding?.sources).toHaveLength(3000);
    expect(new Set(finding?.sources?.map((s) => s.actor))).toEqual(
      new Set(Array.from({ length: 3000 }, (_, i) => source(i))),
    );
    expect(finding?.actor).toBe(finding?.sources?.[0]?.actor);
    expect(finding?.sources?.[0]).toMatchObject({ count: 5, packets: 5 });
    expect(finding?.metrics).toMatchObject({ kind: 'SYN flood', rate: 250, sources: 3000, halfOpen: 15_000 });
    expect(finding?.explanation).toBe(
      `${WEB} received 15,000 half-open TCP connections (100% of 15,000 new ones, threshold 50%) at 250 connections/s (threshold 100 connections/s, averaged over at least 60 s): a distributed (DDoS) SYN flood from 3,000 sources. Busiest sources: ${finding?.sources
        ?.slice(0, 3)
        .map((s) => `${s.actor} (5 packets)`)
        .join(', ')} and 2,997 more (every source is listed in the JSON, NDJSON, CSV and OCSF outputs).`,
    );
    expect(finding?.evidence[0]).toMatchObject({ dstAddr: WEB, dstPort: 443 });
  });

  it('names the one source of a SYN flood the server answers (SYN-ACK, then the RST of the flooder)', async () => {
    // hping3 -S from one address: our host answers every SYN, the flooder's kernel resets each one
    const FLOODER = '198.51.100.68';
    const flows = new FlowBuilder().repeat(9000, 1 / 150, T, (_, at) => ({
      client: FLOODER,
      server: WEB,
      port: 80,
      at,
      outPackets: 2,
      outBytes: 80,
      inPackets: 1,
      inBytes: 44,
      flags: [6, 18],
    }));
    const [finding, ...rest] = findingsOf(await scan(flows), 'flood');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: FLOODER, target: WEB, severity: 'medium' });
    expect(finding?.sources).toEqual([expect.objectContaining({ actor: FLOODER, count: 9000 })]);
    expect(finding?.metrics).toMatchObject({ kind: 'SYN flood', halfOpen: 9000, rate: 150 });
  });

  it('stays silent just under the threshold: 90 half-open connections a second', async () => {
    expect(findingsOf(await scan(synFlood(90, 3000)), 'flood')).toHaveLength(0);
  });

  it('does not call a busy public web server at normal load a flood victim', async () => {
    // 20,000 answered HTTPS connections a minute from 5,000 clients, and 1% left half-open as usual
    const flows = synFlood(3, 300, busyWeb(333, 5000));
    expect(findingsOf(await scan(flows), 'flood')).toHaveLength(0);
  });

  it('finds the web server under the same SYN flood while it keeps serving its clients', async () => {
    const [finding] = findingsOf(await scan(synFlood(2000, 5000, busyWeb(333, 5000))), 'flood');
    expect(finding).toMatchObject({ target: WEB, severity: 'high' });
    expect(finding?.explanation).toMatch(/120,000 half-open TCP connections \(86% of 139,980 new ones/);
    // every flooder listed (they are also its usual clients here)
    expect(finding?.sources).toHaveLength(5000);
  });

  it('finds a reflection flood: DNS answers nobody asked for, from 600 resolvers', async () => {
    const flows = new FlowBuilder().repeat(600, 0.1, T, (i, at) => ({
      client: source(i),
      clientPort: 53,
      server: WEB,
      port: 30_000 + i,
      protocol: 17,
      at,
      duration: 55,
      outPackets: 2000,
      outBytes: 2000 * 3000,
      outcome: 'dropped',
    }));
    const [finding] = findingsOf(await scan(flows), 'flood');
    expect(finding).toMatchObject({ target: WEB, direction: 'inbound', severity: 'medium' });
    expect(finding?.metrics).toMatchObject({ kind: 'flood of unanswered internet traffic', sources: 600 });
    expect(finding?.sources).toHaveLength(600);
    expect(finding?.sources?.every((s) => s.packets === 2000 && s.bytes === 6_000_000)).toBe(true);
    expect(finding?.explanation).toMatch(
      /^10\.0\.1\.10 received 3\.6 GB from the internet that it never answered at 60 MB\/s/,
    );
  });

  it('does not count one-way UDP from our own hosts: a syslog collector receiving 30,000 packets a second', async () => {
    const flows = new FlowBuilder().repeat(300, 0.2, T, (i, at) => ({
      client: `10.0.${Math.floor(i / 200) + 2}.${(i % 200) + 1}`,
      server: '10.0.9.9',
      port: 514,
      protocol: 17,
      at,
      duration: 59,
      outPackets: 6000,
      outBytes: 6000 * 400,
      outcome: 'dropped',
    }));
    expect(findingsOf(await scan(flows), 'flood')).toHaveLength(0);
  });

  it('names the victim of an internal ICMP flood while dos names the flooder', async () => {
    const flows = new FlowBuilder().icmp({
      client: '10.0.1.5',
      server: '10.0.2.9',
      at: T,
      duration: 59,
      outPackets: 60_000,
      outBytes: 60_000 * 1066,
      outcome: 'dropped',
    });
    const analysis = await scan(flows, { detectors: [dos, flood] });
    expect(findingsOf(analysis, 'flood')[0]).toMatchObject({
      actor: '10.0.1.5',
      target: '10.0.2.9',
      sources: [expect.objectContaining({ actor: '10.0.1.5', packets: 60_000 })],
      direction: 'internal',
      metrics: expect.objectContaining({ kind: 'ICMP flood', rate: 1000, sources: 1 }),
    });
    expect(findingsOf(analysis, 'flood')[0]?.explanation).toMatch(
      /: an ICMP flood from 1 source\. Source: 10\.0\.1\.5 \(60,000 packets\) \(every source/,
    );
    expect(findingsOf(analysis, 'dos')[0]).toMatchObject({ actor: '10.0.1.5', target: '10.0.2.9' });
  });

  it('still finds the SYN flood without tcp-flags and action, and says what it could not check', async () => {
    const fields = BARE_FIELDS;
    const [finding] = findingsOf(await scan(synFlood(250, 3000), { fields }), 'flood');
    expect(finding).toMatchObject({ target: WEB, severity: 'medium' });
    expect(finding?.limitations.join(' ')).toMatch(/^no tcp_flags in the logs/);
  });
});
