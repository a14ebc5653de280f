import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  HTTP_GET,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import dos from './dos.js';

/** Midnight UTC: windows of a minute and an hour start on it. */
const T = 1_699_920_000;
const BOT = '10.0.1.5';
const VICTIM = '203.0.113.80';
const scan = (flows: FlowBuilder, fields?: Parameters<typeof scanBuilt>[1]) =>
  scanBuilt(flows, { detectors: [dos], ...fields });

/** `perSecond` TCP connection attempts from BOT to VICTIM:80 for `seconds`, none answered. */
const synFlood = (perSecond: number, seconds = 60, flows = new FlowBuilder()) =>
  flows.repeat(perSecond * seconds, 1 / perSecond, T, (_, at) => ({
    client: BOT,
    server: VICTIM,
    port: 80,
    at,
    outcome: 'dropped',
    interfaces: ['eni-bot'],
  }));

/** `perSecond` completed HTTP GETs a second from BOT to `server`:80 for a minute (ab's shape, eval/captures/httpflood). */
const getFlood = (perSecond: number, server = VICTIM, flows = new FlowBuilder()) =>
  flows.repeat(perSecond * 60, 1 / perSecond, T, (_, at) => ({
    client: BOT,
    server,
    port: 80,
    at,
    ...HTTP_GET,
    interfaces: ['eni-bot'],
  }));

describe('dos', () => {
  it('names one of our hosts sending a SYN flood, high', async () => {
    const [finding, ...rest] = findingsOf(await scan(synFlood(200)), 'dos');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: BOT, target: VICTIM, direction: 'outbound', severity: 'high' });
    expect(finding?.metrics).toMatchObject({ kind: 'SYN flood', halfOpen: 12_000, ports: 1, rate: 200 });
    expect(finding?.explanation).toBe(
      `${BOT} sent 12,000 half-open TCP connections (a SYN and no data) to ${VICTIM} on 1 port at 200 connections/s (threshold 100 connections/s, averaged over at least 60 s): a SYN flood; ${VICTIM} answered none.`,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: BOT, dstAddr: VICTIM, dstPort: 80 });
  });

  it('stays silent just under the threshold: 90 attempts a second', async () => {
    expect(findingsOf(await scan(synFlood(90)), 'dos')).toHaveLength(0);
  });

  it('does not mistake a busy API client (200 completed connections a second) for a SYN flood', async () => {
    const flows = new FlowBuilder().repeat(12_000, 1 / 200, T, (_, at) => ({
      client: BOT,
      server: VICTIM,
      port: 443,
      at,
      interfaces: ['eni-bot'],
    }));
    expect(findingsOf(await scan(flows), 'dos')).toHaveLength(0);
  });

  it('names one of our hosts sending an HTTP GET flood: 300 completed connections a second to one target, medium', async () => {
    const [finding, ...rest] = findingsOf(await scan(getFlood(300)), 'dos');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: BOT, target: VICTIM, direction: 'outbound', severity: 'medium' });
    expect(finding?.metrics).toMatchObject({
      kind: 'connection flood (completed connections, application layer)',
      completed: 18_000,
      rate: 300,
      threshold: 250,
      ports: 1,
    });
    expect(finding?.explanation).toMatch(
      /^10\.0\.1\.5 sent 18,000 completed TCP connections \(data sent, and answered\) to 203\.0\.113\.80 on 1 port at 300 connections\/s \(threshold 250 connections\/s/,
    );
  });

  it('stays silent just under the connection-flood threshold: 240 completed connections a second', async () => {
    expect(findingsOf(await scan(getFlood(240)), 'dos')).toHaveLength(0);
  });

  it('does not call a crawler (300 new connections a second over 50 sites) or a backup upload a flood', async () => {
    const flows = new FlowBuilder();
    for (let site = 0; site < 50; site++) getFlood(6, `198.51.100.${site + 100}`, flows);
    // four parallel multi-gigabyte uploads to S3 for the minute
    flows.repeat(4, 0, T, () => ({
      client: BOT,
      server: '52.218.1.10',
      port: 443,
      at: T,
      duration: 59,
      outPackets: 1_500_000,
      outBytes: 1_500_000 * 1400,
      inPackets: 500_000,
      inBytes: 500_000 * 52,
      interfaces: ['eni-bot'],
    }));
    expect(findingsOf(await scan(flows), 'dos')).toHaveLength(0);
  });

  it('does not accuse our server of the RSTs it sends back to an internet SYN flood', async () => {
    const flows = new FlowBuilder().repeat(12_000, 1 / 200, T, (i, at) => ({
      client: `198.51.100.${(i % 250) + 1}`,
      server: '10.0.1.10',
      port: 8080,
      at,
      outcome: 'refused',
    }));
    expect(findingsOf(await scan(flows), 'dos')).toHaveLength(0);
  });

  it('finds a three-minute ICMP flood inside a day of one-a-second pings between the same hosts', async () => {
    const flows = new FlowBuilder()
      .repeat(24 * 60, 60, T - 86_400 + 3600, (_, at) => ({
        client: BOT,
        server: '10.0.2.9',
        at,
        duration: 59,
        outPackets: 60,
        outBytes: 60 * 84,
        inPackets: 60,
        inBytes: 60 * 84,
        interfaces: ['eni-bot'],
        protocol: 1,
        port: 0,
        clientPort: 0,
      }))
      .repeat(3, 60, T + 7200, (_, at) => ({
        client: BOT,
        server: '10.0.2.9',
        at,
        duration: 59,
        outPackets: 30_000,
        outBytes: 30_000 * 1066,
        outcome: 'dropped',
        interfaces: ['eni-bot'],
        protocol: 1,
        port: 0,
        clientPort: 0,
      }));
    const [finding, ...rest] = findingsOf(await scan(flows), 'dos');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: BOT,
      target: '10.0.2.9',
      direction: 'internal',
      severity: 'high',
    });
    expect(finding?.metrics).toMatchObject({ kind: 'ICMP flood', packets: 30_000, rate: 500, windows: 3 });
    expect(finding?.explanation).toMatch(/30,000 ICMP packets \(32 MB\).*at 500 packets\/s \(threshold 100/);
  });

  it('finds unanswered UDP floods, and UDP aimed at TCP-only ports at a lower rate', async () => {
    const flows = new FlowBuilder()
      .udp({
        client: BOT,
        server: VICTIM,
        port: 19_132,
        at: T,
        duration: 59,
        outPackets: 900_000,
        outBytes: 900_000 * 512,
        outcome: 'dropped',
        interfaces: ['eni-bot'],
      })
      .udp({
        client: BOT,
        server: '198.51.100.7',
        port: 80,
        at: T,
        duration: 59,
        outPackets: 90_000,
        outBytes: 90_000 * 60,
        outcome: 'dropped',
        interfaces: ['eni-bot'],
      });
    const found = findingsOf(await scan(flows), 'dos').map((f) => [f.target, f.metrics.kind, f.metrics.rate]);
    expect(found.sort()).toEqual([
      ['198.51.100.7', 'UDP flood on TCP-only ports', 1500],
      [VICTIM, 'UDP flood', 15_000],
    ]);
  });

  it('finds a DNS flood (medium while the resolver answers) and a flood over an unusual IP protocol', async () => {
    const flows = new FlowBuilder()
      .udp({
        client: BOT,
        server: '10.0.0.2',
        port: 53,
        at: T,
        duration: 59,
        outPackets: 180_000,
        outBytes: 180_000 * 70,
        inPackets: 180_000,
        inBytes: 180_000 * 130,
        interfaces: ['eni-bot'],
      })
      .ipProtocol({
        client: BOT,
        server: VICTIM,
        protocol: 103,
        at: T,
        duration: 59,
        outPackets: 12_000,
        outBytes: 12_000 * 60,
        outcome: 'dropped',
        interfaces: ['eni-bot'],
      });
    const found = findingsOf(await scan(flows), 'dos').map((f) => [f.target, f.severity, f.metrics.kind]);
    expect(found.sort()).toEqual([
      ['10.0.0.2', 'medium', 'DNS flood'],
      [VICTIM, 'high', 'flood over protocol 103, an unusual IP protocol'],
    ]);
  });

  it('does not flag a busy WireGuard tunnel: 20,000 UDP packets a second, answered', async () => {
    const flows = new FlowBuilder().udp({
      client: BOT,
      server: VICTIM,
      port: 51_820,
      clientPort: 51_820,
      at: T,
      duration: 59,
      outPackets: 1_200_000,
      outBytes: 1_200_000 * 1200,
      inPackets: 1_000_000,
      inBytes: 1_000_000 * 1200,
      interfaces: ['eni-bot'],
    });
    expect(findingsOf(await scan(flows), 'dos')).toHaveLength(0);
  });

  it('still finds the SYN flood without tcp-flags and action, and says what it could not check', async () => {
    const fields = BARE_FIELDS;
    const [finding] = findingsOf(await scan(synFlood(200), { fields }), 'dos');
    expect(finding).toMatchObject({ actor: BOT, target: VICTIM, severity: 'high' });
    expect(finding?.explanation).toContain('at most 3 header-sized packets, no data');
    expect(finding?.limitations.join(' ')).toMatch(/^no tcp_flags in the logs/);
  });
});
