import { describe, expect, it } from 'vitest';
import {
  AWS_SERVICE_FIELDS,
  BARE_FIELDS,
  type Connection,
  FlowBuilder,
  findingsOf,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import beacon from './beacon.js';

const T = 1_700_000_000;
const IMPLANT = '10.0.1.20';
const C2 = '198.51.100.7';
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors: [beacon], ...options });

/** Calls every `every` s ± 10% (a fixed pseudo-random spread), small alike payloads. */
function implant(flows: FlowBuilder, calls: number, every: number, c: Partial<Connection> = {}): FlowBuilder {
  let at = T;
  for (let i = 0; i < calls; i++) {
    flows.tcp({
      client: IMPLANT,
      server: C2,
      port: 8001,
      at,
      outPackets: 6,
      outBytes: 620 + (i % 4) * 8,
      inPackets: 5,
      inBytes: 1840 + (i % 3) * 16,
      ...c,
    });
    at += every * (0.9 + 0.2 * ((i * 0.618_034) % 1));
  }
  return flows;
}

/** `hosts` other internal hosts, each calling a server of its own once: a network to be rare in. */
function population(flows: FlowBuilder, hosts: number): FlowBuilder {
  return flows.repeat(hosts, 60, T, (i, at) => ({
    client: `10.0.2.${i + 1}`,
    server: `203.0.113.${i + 1}`,
    port: 443,
    at,
  }));
}

describe('beacon', () => {
  it('names an implant calling home every 60 s ± 10% with small alike payloads for four hours, high', async () => {
    const [finding, ...rest] = findingsOf(await scan(implant(new FlowBuilder(), 240, 60)), 'beacon');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: IMPLANT,
      target: C2,
      direction: 'outbound',
      severity: 'high',
      count: 240,
    });
    expect(finding?.subScores.intervalDispersion).toBeGreaterThan(0.85);
    expect(finding?.subScores.sizeDispersion).toBeGreaterThan(0.9);
    expect(finding?.metrics).toMatchObject({ checkIns: 240, answered: 240, ports: '8001', protocol: 'TCP' });
    expect(Number(finding?.metrics.score)).toBeGreaterThan(0.9);
    expect(String(finding?.metrics.intervalHistogram).split(',')).toHaveLength(11);
    expect(finding?.explanation).toMatch(
      /^10\.0\.1\.20 called 198\.51\.100\.7 \(TCP 8001\) 240 times over 4 hours, every 6\d s \(median; MAD \d(\.\d)? s\), 2,\d{3} bytes each .* in 24 of 24 time buckets: beacon score 0\.9\d \(medium from 0\.7, high from 0\.8\)\.$/,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: IMPLANT, dstAddr: C2, dstPort: 8001 });
  });

  it('is not persistent just under minSpan: 30 calls a minute apart span 29 minutes, low by the short rule', async () => {
    const every = (calls: number) =>
      new FlowBuilder().repeat(calls, 60, T, (i, at) => ({
        client: IMPLANT,
        server: C2,
        port: 8001,
        at,
        outBytes: 620 + (i % 4) * 8,
      }));
    const short = findingsOf(await scan(every(30)), 'beacon');
    expect(short.map((f) => [f.severity, f.metrics.rule])).toEqual([['low', 'short']]);
    const persistent = findingsOf(await scan(every(32)), 'beacon');
    expect(persistent.map((f) => [f.severity, f.metrics.rule])).toEqual([['high', 'persistent']]);
  });

  it('rates a beacon on 443 low in a small network, and high when no other host calls its server', async () => {
    const alone = findingsOf(await scan(implant(new FlowBuilder(), 240, 60, { port: 443 })), 'beacon');
    expect(alone.map((f) => f.severity)).toEqual(['low']);
    expect(alone[0]?.explanation).toContain("on a web port, where vendors' agents poll on timers");
    const amongMany = findingsOf(
      await scan(population(implant(new FlowBuilder(), 240, 60, { port: 443 }), 25)),
      'beacon',
    );
    expect(amongMany.map((f) => [f.actor, f.severity])).toEqual([[IMPLANT, 'high']]);
    expect(amongMany[0]?.explanation).toContain('the server is rare, called by 1 of 26 internal hosts');
  });

  it('rates a vendor agent that the whole fleet runs on 443 low', async () => {
    const flows = new FlowBuilder();
    for (let h = 1; h <= 20; h++) {
      flows.repeat(40, 60, T + h, (i, at) => ({
        client: `10.0.3.${h}`,
        server: '192.0.2.44',
        port: 443,
        at,
        outBytes: 900 + (i % 2) * 4,
      }));
    }
    const found = findingsOf(await scan(flows), 'beacon');
    expect(found).toHaveLength(20);
    expect(new Set(found.map((f) => f.severity))).toEqual(new Set(['low']));
  });

  it('scores a host that never reaches its server on the attempts, one level lower', async () => {
    const flows = new FlowBuilder().repeat(240, 30, T, (_, at) => ({
      client: IMPLANT,
      server: C2,
      port: 1177,
      at,
      outcome: 'dropped',
    }));
    const [finding] = findingsOf(await scan(flows), 'beacon');
    expect(finding).toMatchObject({ severity: 'medium', confidence: 0.6 });
    expect(finding?.metrics).toMatchObject({ scoredOn: 'attempts', answered: 0 });
    expect(finding?.subScores).not.toHaveProperty('sizeDispersion');
    expect(finding?.explanation).toContain('none of 240 attempts answered');
  });

  it('leaves failed calls out of the intervals: refused calls retried 7 s later do not break the beat', async () => {
    const flows = new FlowBuilder();
    implant(flows, 240, 60);
    for (let i = 0; i < 240; i += 4)
      flows.tcp({ client: IMPLANT, server: C2, port: 8001, at: T + i * 60 - 7, outcome: 'refused' });
    const [finding] = findingsOf(await scan(flows), 'beacon');
    expect(finding).toMatchObject({ severity: 'high' });
    expect(finding?.metrics).toMatchObject({
      attempts: 300,
      answered: 240,
      scoredOn: 'answered connections',
    });
  });

  it('does not make a beacon of periodic rejected attempts beside irregular answered use', async () => {
    const flows = new FlowBuilder()
      .repeat(120, 60, T, (_, at) => ({ client: IMPLANT, server: C2, port: 8001, at, outcome: 'rejected' }))
      .repeat(15, 1, T, (i) => ({
        client: IMPLANT,
        server: C2,
        port: 8001,
        at: T + ((i * i * 977) % 7000),
        outBytes: 500 + ((i * 7919) % 40_000),
      }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });

  it('does not flag a client retrying a service for ten minutes in a day of logs', async () => {
    const flows = new FlowBuilder()
      .repeat(20, 30, T, (_, at) => ({ client: IMPLANT, server: C2, port: 8001, at, outcome: 'dropped' }))
      .tcp({ client: '10.0.2.9', server: '203.0.113.9', port: 443, at: T + 86_400 });
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });

  it('ignores load-balancer and Kubernetes health checks every 10 s: internal and inbound', async () => {
    const flows = new FlowBuilder()
      .repeat(1440, 10, T, (_, at) => ({ client: '10.0.0.5', server: '10.0.1.10', port: 8080, at }))
      .repeat(1440, 10, T, (_, at) => ({ client: '10.0.0.6', server: '10.0.1.11', port: 10256, at }))
      .repeat(480, 30, T, (_, at) => ({ client: '54.243.31.192', server: '10.0.1.10', port: 443, at }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });

  it('ignores an NTP client polling four pool servers every 64 s', async () => {
    const flows = new FlowBuilder();
    for (let s = 0; s < 4; s++) {
      flows.repeat(200, 64, T + s, (_, at) => ({
        client: IMPLANT,
        server: `162.159.200.${s + 1}`,
        port: 123,
        protocol: 17,
        at,
        outPackets: 1,
        outBytes: 76,
        inPackets: 1,
        inBytes: 76,
      }));
    }
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
    // it is the port list that keeps it out: the polls themselves are a perfect timer
    const config = { detectors: { beacon: { infrastructurePorts: [] } } };
    expect(findingsOf(await scan(flows, { config }), 'beacon')).toHaveLength(4);
  });

  it('ignores an hourly package-mirror poll whose downloads vary', async () => {
    const flows = new FlowBuilder().repeat(24, 3600, T, (i, at) => ({
      client: IMPLANT,
      server: '151.101.2.132',
      port: 80,
      at,
      duration: 20,
      inPackets: 200 + i * 40,
      inBytes: [40_000, 2_500_000, 380_000, 9_100_000, 120_000, 760_000][i % 6] ?? 0,
    }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
    // the timer is perfect; the sizes are what sink it (size at most 0.25 → score at most 0.66; here 0.49)
    const config = { detectors: { beacon: { mediumScore: 0.01 } } };
    const [shown] = findingsOf(await scan(flows, { config }), 'beacon');
    expect(shown?.subScores).toMatchObject({ intervalDispersion: 1, sizeDispersion: 0, persistence: 1 });
    expect(Number(shown?.metrics.score)).toBeLessThan(0.7);
  });

  it('reports an agent polling an AWS endpoint every minute at info only', async () => {
    const flows = implant(new FlowBuilder(), 240, 60, {
      server: '52.94.236.248',
      port: 443,
      awsService: 'AMAZON',
    });
    const found = findingsOf(await scan(flows, { fields: AWS_SERVICE_FIELDS }), 'beacon');
    expect(found.map((f) => f.severity)).toEqual(['info']);
    expect(found[0]?.explanation).toContain('AWS endpoint (AMAZON)');
    expect(found[0]?.metrics.awsService).toBe('AMAZON');
  });

  it("tells the AWS endpoint by AWS's published ranges when the logs have no pkt-dst-aws-service", async () => {
    const api = implant(new FlowBuilder(), 240, 60, { server: '52.94.236.248', port: 443 });
    const [found] = findingsOf(await scan(api), 'beacon');
    expect(found).toMatchObject({
      severity: 'info',
      metrics: expect.objectContaining({ awsService: 'AMAZON' }),
    });
    expect(found?.explanation).toContain('AWS endpoint (AMAZON)');
    // an EC2 address is anyone's server: judged as the same beacon to any internet host is
    const ec2 = implant(new FlowBuilder(), 240, 60, { server: '18.200.0.1', port: 443 });
    const stranger = implant(new FlowBuilder(), 240, 60, { port: 443 });
    const [onEc2] = findingsOf(await scan(ec2), 'beacon');
    expect(onEc2?.metrics.awsService).toBe('EC2');
    expect(onEc2?.severity).toBe(findingsOf(await scan(stranger), 'beacon')[0]?.severity);
    expect(onEc2?.severity).not.toBe('info');
  });

  it('still finds the beacon without tcp-flags and action, saying what is lost', async () => {
    const flows = implant(new FlowBuilder(), 240, 60);
    const full = findingsOf(await scan(flows), 'beacon')[0];
    const bare = findingsOf(await scan(flows, { fields: BARE_FIELDS }), 'beacon')[0];
    expect(bare).toMatchObject({ actor: IMPLANT, target: C2, severity: 'high' });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action/s);
  });
});
