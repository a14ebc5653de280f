import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  HTTP_GET,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
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

/**
 * `perSecond` completed HTTP GETs a second to WEB:80 for a minute from `sources` internet addresses
 * (203.0.113.0/24) taking turns: ab's shape in eval/captures/httpflood (6 packets each way, a page back).
 */
const getFlood = (perSecond: number, sources: number, flows = new FlowBuilder()) =>
  flows.repeat(perSecond * 60, 1 / perSecond, T, (i, at) => ({
    client: `203.0.113.${(i % sources) + 1}`,
    server: WEB,
    port: 80,
    at,
    ...HTTP_GET,
  }));

/** Ordinary visitors of WEB:80: `perSecond` connections a second for a minute, spread over `clients`. */
const visitors = (perSecond: number, clients: number, flows = new FlowBuilder()) =>
  flows.repeat(perSecond * 60, 1 / perSecond, T, (i, at) => ({
    client: source(i % clients),
    server: WEB,
    port: 80,
    at,
    duration: 5,
    outPackets: 14,
    outBytes: 2400,
    inPackets: 30,
    inBytes: 40_000,
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

  it('names an HTTP GET flood from one source: 100 completed connections a second to one service', async () => {
    const [finding, ...rest] = findingsOf(await scan(getFlood(100, 1)), 'flood');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: '203.0.113.1',
      target: WEB,
      direction: 'inbound',
      severity: 'medium',
    });
    expect(finding?.sources).toEqual([expect.objectContaining({ actor: '203.0.113.1', count: 6000 })]);
    expect(finding?.metrics).toMatchObject({ rate: 100, sources: 1, serverPort: 80, floodShare: 1 });
    expect(finding?.explanation).toMatch(
      /^10\.0\.1\.10 received 6,000 completed TCP connections to port 80 from one internet client \(100% of the 6,000 the service completed, threshold 50%\) at 100 connections\/s \(threshold 50 connections\/s.*: a connection flood \(completed connections, application layer\) from 1 source\./,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: '203.0.113.1', dstAddr: WEB, dstPort: 80 });
  });

  it('names every bot of a distributed HTTP flood, and none of the visitors it drowns out', async () => {
    // 60 bots at 6 connections a second each, while 2,000 ordinary visitors keep coming
    const [finding, ...rest] = findingsOf(await scan(getFlood(360, 60, visitors(100, 2000))), 'flood');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ target: WEB, severity: 'medium' });
    expect(finding?.metrics).toMatchObject({ rate: 360, sources: 60, floodShare: 0.78 });
    expect(new Set(finding?.sources?.map((s) => s.actor))).toEqual(
      new Set(Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 1}`)),
    );
    expect(finding?.explanation).toMatch(
      /from 60 internet clients completing 5 or more a second each \(78% of the 27,600 the service completed.*: a distributed \(DDoS\) connection flood/,
    );
  });

  it('stays silent just under the thresholds: 45 connections a second, or 60 that are under half the service', async () => {
    expect(findingsOf(await scan(getFlood(45, 1)), 'flood')).toHaveLength(0);
    // 3,600 from the one heavy client beside 3,900 from ordinary visitors: 48% of the service
    expect(findingsOf(await scan(getFlood(60, 1, visitors(65, 1500))), 'flood')).toHaveLength(0);
  });

  it('does not call a popular web server, its office NATs, health checks, backups or a chatty DNS client a flood', async () => {
    // 333 visits a second from 5,000 clients, 5 office NAT addresses at 8 new connections a second each
    const flows = getFlood(40, 5, visitors(333, 5000));
    // two ALB nodes' health checks every 10 s, and a nightly backup: three long, large uploads
    for (const node of ['10.0.0.21', '10.0.0.22']) {
      flows.repeat(6, 10, T, (_, at) => ({
        client: node,
        server: WEB,
        port: 80,
        at,
        outPackets: 5,
        inPackets: 5,
      }));
    }
    flows.repeat(3, 1, T, (_, at) => ({
      client: '10.0.3.4',
      server: WEB,
      port: 873,
      at,
      duration: 59,
      outPackets: 2_000_000,
      outBytes: 2_000_000 * 1400,
      inPackets: 600_000,
      inBytes: 600_000 * 52,
    }));
    // our authoritative DNS server: a big resolver's 200 queries a second, and its TCP retries of truncated answers
    flows
      .repeat(60, 1, T, (_, at) => ({
        client: '198.51.100.53',
        server: '10.0.1.53',
        port: 53,
        protocol: 17,
        at,
        outPackets: 200,
        outBytes: 200 * 80,
        inPackets: 200,
        inBytes: 200 * 600,
      }))
      .repeat(180, 1 / 3, T, (_, at) => ({ client: '198.51.100.53', server: '10.0.1.53', port: 53, at }));
    expect(findingsOf(await scan(flows), 'flood')).toHaveLength(0);
  });

  it('leaves internal clients to dos: a busy API client (200 new connections a second) is quiet, a flooder named', async () => {
    const api = (perSecond: number, client: string, flows = new FlowBuilder()) =>
      flows.repeat(perSecond * 60, 1 / perSecond, T, (_, at) => ({ client, server: WEB, port: 8443, at }));
    const busy = await scan(api(200, '10.0.2.7'), { detectors: [dos, flood] });
    expect(busy.findings).toHaveLength(0);
    const flooded = await scan(api(300, '10.0.2.8'), { detectors: [dos, flood] });
    expect(findingsOf(flooded, 'flood')).toHaveLength(0);
    expect(findingsOf(flooded, 'dos')).toEqual([
      expect.objectContaining({ actor: '10.0.2.8', target: WEB, severity: 'medium' }),
    ]);
  });

  it('finds the HTTP GET flood without tcp-flags and action too', async () => {
    const [finding] = findingsOf(await scan(getFlood(100, 1), { fields: BARE_FIELDS }), 'flood');
    expect(finding).toMatchObject({ actor: '203.0.113.1', target: WEB, severity: 'medium' });
    expect(finding?.metrics).toMatchObject({ rate: 100, serverPort: 80 });
  });

  it('still finds the SYN flood without tcp-flags and action, and says what it could not check', async () => {
    const fields = BARE_FIELDS;
    const [finding] = findingsOf(await scan(synFlood(250, 3000), { fields }), 'flood');
    expect(finding).toMatchObject({ target: WEB, severity: 'medium' });
    expect(finding?.limitations.join(' ')).toMatch(/^no tcp_flags in the logs/);
  });
});
