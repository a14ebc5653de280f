import { describe, expect, it } from 'vitest';
import { FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';
import pingsweep from './pingsweep.js';

const T = 1_700_000_000;
const detectors = [pingsweep];
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors, ...options });
/** the i-th host from 10.0.<subnet>.1, 250 a subnet */
const host = (subnet: number, i: number) => `10.0.${subnet + Math.floor(i / 250)}.${(i % 250) + 1}`;
const ECHO = 8;
const UNREACHABLE = 3;
const TIME_EXCEEDED = 11;

describe('pingsweep', () => {
  it('names an internal host pinging 120 hosts whose security groups drop ICMP, at medium severity', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 120; i++) {
      // VPC logs ICMP as ports 0 0; ten hosts answer
      flows.icmp({
        client: '10.0.2.7',
        server: host(3, i),
        at: T + i * 0.1,
        outcome: i % 12 === 0 ? 'open' : 'dropped',
      });
    }
    const [finding, ...rest] = findingsOf(await scan(flows), 'pingsweep');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: '10.0.2.7',
      target: null,
      targetCount: 120,
      direction: 'internal',
      severity: 'medium',
      confidence: 0.75,
      count: 120,
    });
    expect(finding?.attack).toContain('T1018');
    expect(finding?.metrics).toMatchObject({
      hosts: 120,
      directedHosts: 110,
      answeredHosts: 10,
      protocol: 'ICMP',
    });
    expect(finding?.explanation).toContain(
      'sent ICMP of unlogged type (0 0, as VPC logs it) to 120 hosts (threshold 25',
    );
    expect(finding?.explanation).toContain('110 did not answer');
    expect(finding?.evidence.every((r) => r.srcAddr === '10.0.2.7' && r.protocol === 1)).toBe(true);
  });

  it('rates an internet host pinging 60 of ours low, inbound', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 60; i++)
      flows.icmp({ client: '203.0.113.77', server: host(4, i), at: T + i, outcome: 'rejected' });
    const [finding] = findingsOf(await scan(flows), 'pingsweep');
    expect(finding).toMatchObject({
      actor: '203.0.113.77',
      direction: 'inbound',
      severity: 'low',
      targetCount: 60,
    });
  });

  it('trusts known echo requests from Zeek-like flows, ICMPv6 included, even when every host answers once', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 40; i++)
      flows.icmpTyped({ client: '10.0.2.8', server: host(6, i), type: ECHO, at: T + i });
    for (let i = 0; i < 30; i++) {
      flows.icmpTyped({
        client: 'fd00::7',
        server: `fd00::1:${i + 1}`,
        type: 128,
        protocol: 58,
        at: T + i,
        outcome: 'dropped',
      });
    }
    const found = findingsOf(await scan(flows), 'pingsweep');
    expect(found.map((f) => [f.actor, f.targetCount, f.confidence, f.metrics.protocol])).toEqual([
      ['fd00::7', 30, 0.9, 'ICMPv6'],
      ['10.0.2.8', 40, 0.6, 'ICMP'],
    ]);
    expect(found[1]?.metrics).toMatchObject({ answeredHosts: 40, requestTypeKnownHosts: 40 });
    expect(found[1]?.explanation).toContain('40 answered, a one-off sweep of live hosts');
  });

  it('stays silent just under the threshold: 24 hosts not answering', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 24; i++)
      flows.icmp({ client: '10.0.2.7', server: host(3, i), at: T + i, outcome: 'dropped' });
    expect(findingsOf(await scan(flows), 'pingsweep')).toHaveLength(0);
  });

  it('does not take a router sending unreachable and time-exceeded messages to 80 hosts for a pinger (Zeek-like types)', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 80; i++) {
      const type = i % 2 === 0 ? UNREACHABLE : TIME_EXCEEDED;
      flows.icmpTyped({
        client: '10.0.0.1',
        server: host(7, i),
        type,
        code: 1,
        at: T + i,
        outcome: 'dropped',
      });
    }
    // ICMPv6 neighbour solicitations (135) are not pings either
    for (let i = 0; i < 40; i++) {
      flows.icmpTyped({
        client: 'fd00::1',
        server: `fd00::2:${i + 1}`,
        type: 135,
        protocol: 58,
        at: T + i,
        outcome: 'dropped',
      });
    }
    expect(findingsOf(await scan(flows), 'pingsweep')).toHaveLength(0);
  });

  it('does not take a host answering 60 UDP probers with port unreachable for a pinger (VPC, type unknown)', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 60; i++) {
      const prober = `198.51.100.${i + 1}`;
      flows.udp({ client: prober, server: '10.0.1.53', port: 161, at: T + i * 30, outcome: 'dropped' });
      flows.icmp({ client: '10.0.1.53', server: prober, at: T + i * 30, outcome: 'dropped' });
    }
    expect(findingsOf(await scan(flows), 'pingsweep')).toHaveLength(0);
  });

  it('leaves a monitor pinging 60 hosts every minute that all answer unreported in VPC logs, which give answered ICMP no direction', async () => {
    const flows = new FlowBuilder();
    for (let minute = 0; minute < 30; minute++) {
      for (let i = 0; i < 60; i++)
        flows.icmp({ client: '10.0.9.9', server: host(8, i), at: T + minute * 60 + i * 0.1 });
    }
    expect(findingsOf(await scan(flows), 'pingsweep')).toHaveLength(0);
  });

  it('reports monitoring at info: a fixed set pinged every minute, most answering, its first 30 hosts stopped', async () => {
    const vpc = new FlowBuilder();
    const zeek = new FlowBuilder();
    for (let minute = 0; minute < 30; minute++) {
      for (let i = 0; i < 60; i++) {
        const at = T + minute * 60 + i * 0.1;
        vpc.icmp({ client: '10.0.9.9', server: host(8, i), at, outcome: i < 30 ? 'dropped' : 'open' });
        zeek.icmpTyped({
          client: '10.0.9.9',
          server: host(8, i),
          type: ECHO,
          at,
          outcome: i < 6 ? 'dropped' : 'open',
        });
      }
    }
    for (const flows of [vpc, zeek]) {
      const [finding, ...rest] = findingsOf(await scan(flows), 'pingsweep');
      expect(rest).toHaveLength(0);
      expect(finding).toMatchObject({
        actor: '10.0.9.9',
        severity: 'info',
        confidence: 0.3,
        targetCount: 60,
      });
      expect(finding?.metrics).toMatchObject({ repeatedHosts: 60 });
      expect(finding?.explanation).toContain('as monitoring does, so it is reported at info');
    }
  });

  it('keeps a sweep a sweep when it is repeated but nearly nothing answers', async () => {
    const flows = new FlowBuilder();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 50; i++) {
        flows.icmp({
          client: '10.0.2.7',
          server: host(3, i),
          at: T + round * 600 + i,
          outcome: i < 2 ? 'open' : 'dropped',
        });
      }
    }
    const [finding] = findingsOf(await scan(flows), 'pingsweep');
    expect(finding).toMatchObject({ actor: '10.0.2.7', severity: 'medium', targetCount: 50 });
  });

  it('still finds the sweep without ports, end time, tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 50; i++)
      flows.icmp({ client: '10.0.2.7', server: host(3, i), at: T + i, outcome: 'dropped' });
    const full = findingsOf(await scan(flows), 'pingsweep')[0];
    const fields = [
      'version',
      'interface-id',
      'srcaddr',
      'dstaddr',
      'protocol',
      'packets',
      'bytes',
      'start',
    ] as const;
    const bare = findingsOf(await scan(flows, { fields }), 'pingsweep')[0];
    expect(bare).toMatchObject({ actor: '10.0.2.7', targetCount: 50 });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/src_port.*end_time/s);
  });
});
