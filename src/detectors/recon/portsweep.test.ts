import { describe, expect, it } from 'vitest';
import { BARE_FIELDS, FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';
import portsweep from './portsweep.js';

const T = 1_700_000_000;
const detectors = [portsweep];
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors, ...options });
/** the i-th host from 10.0.<subnet>.1, 250 a subnet */
const host = (subnet: number, i: number) => `10.0.${subnet + Math.floor(i / 250)}.${(i % 250) + 1}`;

describe('portsweep', () => {
  it('names an internal host sweeping SMB across 100 hosts that refuse or drop it, at medium severity', async () => {
    const flows = new FlowBuilder().repeat(100, 0.2, T, (i, at) => ({
      client: '10.0.2.7',
      server: host(3, i),
      port: 445,
      at,
      outcome: i % 3 === 0 ? 'dropped' : 'refused',
    }));
    const [finding, ...rest] = findingsOf(await scan(flows), 'portsweep');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: '10.0.2.7',
      target: null,
      targetCount: 100,
      direction: 'internal',
      severity: 'medium',
      count: 100,
    });
    expect(finding?.metrics).toMatchObject({
      hosts: 100,
      unansweredHosts: 100,
      ports: '445/TCP',
      portCount: 1,
    });
    expect(finding?.explanation).toContain(
      'probed 100 hosts on 445/TCP (threshold 25 unanswered hosts on one port)',
    );
    expect(finding?.evidence).toHaveLength(10);
    expect(finding?.evidence.every((r) => r.srcAddr === '10.0.2.7' && r.dstPort === 445)).toBe(true);
  });

  it('makes one finding of a sweep over several ports, listing them, and rates it high past 256 hosts', async () => {
    const flows = new FlowBuilder()
      .repeat(300, 0.1, T, (i, at) => ({
        client: '10.0.9.9',
        server: host(10, i),
        port: 22,
        at,
        outcome: 'dropped',
      }))
      .repeat(300, 0.1, T + 60, (i, at) => ({
        client: '10.0.9.9',
        server: host(10, i),
        port: 3389,
        at,
        outcome: 'dropped',
      }))
      // a port touched on too few hosts is not listed as swept
      .repeat(3, 1, T + 200, (i, at) => ({
        client: '10.0.9.9',
        server: host(20, i),
        port: 8443,
        at,
        outcome: 'dropped',
      }));
    const found = findingsOf(await scan(flows), 'portsweep');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ actor: '10.0.9.9', target: null, targetCount: 300, severity: 'high' });
    expect(found[0]?.metrics).toMatchObject({
      ports: '22/TCP, 3389/TCP',
      portCount: 2,
      unansweredPerPort: '300, 300',
    });
    expect(found[0]?.explanation).toContain('300 hosts on 22/TCP, 3389/TCP');
    expect(new Set(found[0]?.evidence.map((r) => r.dstPort))).toEqual(new Set([22]));
  });

  it('rates an internet scanner sweeping SSH across 80 of our hosts low, inbound', async () => {
    const flows = new FlowBuilder().repeat(80, 0.5, T, (i, at) => ({
      client: '198.51.100.23',
      server: host(4, i),
      port: 22,
      at,
      outcome: 'rejected',
    }));
    const [finding] = findingsOf(await scan(flows), 'portsweep');
    expect(finding).toMatchObject({
      actor: '198.51.100.23',
      direction: 'inbound',
      severity: 'low',
      targetCount: 80,
    });
    expect(finding?.attack).toContain('T1595.001');
    expect(finding?.metrics).toMatchObject({ rejectedHosts: 80 });
  });

  it('stays silent just under the threshold: 24 hosts refusing port 445', async () => {
    const flows = new FlowBuilder().repeat(24, 0.2, T, (i, at) => ({
      client: '10.0.2.7',
      server: host(3, i),
      port: 445,
      at,
      outcome: 'refused',
    }));
    expect(findingsOf(await scan(flows), 'portsweep')).toHaveLength(0);
  });

  it('does not mistake a load balancer health-checking 50 targets on 8080 every 10 s, 3 of them down, for a sweep', async () => {
    const flows = new FlowBuilder();
    for (let round = 0; round < 30; round++) {
      flows.repeat(50, 0.01, T + round * 10, (i, at) => ({
        client: '10.0.0.50',
        server: host(5, i),
        port: 8080,
        at,
        outcome: i % 17 === 0 ? 'refused' : 'open',
      }));
    }
    expect(findingsOf(await scan(flows), 'portsweep')).toHaveLength(0);
  });

  it('does not name a NAT gateway: 300 instances behind it delivering webhooks to 400 internet hosts, most dead', async () => {
    const flows = new FlowBuilder();
    for (let instance = 0; instance < 300; instance++) {
      for (const pick of [instance, instance + 100]) {
        const endpoint = pick % 400;
        flows.tcp({
          client: host(64, instance),
          loggedClient: '10.0.0.5',
          server: `203.0.${113 + (endpoint >> 8)}.${endpoint % 256}`,
          port: 443,
          at: T + instance,
          outcome: endpoint % 5 === 0 ? 'open' : 'dropped',
          interfaces: ['eni-nat'],
        });
      }
    }
    expect(findingsOf(await scan(flows), 'portsweep')).toHaveLength(0);
    // The same records without pkt-srcaddr show only the NAT's address, and it would be named: the
    // false positive the field prevents (listed in the card's falsePositives).
    const fields = [...BARE_FIELDS, 'action', 'tcp-flags'] as const;
    const blind = findingsOf(await scan(flows, { fields }), 'portsweep');
    expect(blind.map((f) => f.actor)).toEqual(['10.0.0.5']);
  });

  it('does not flag a client using 40 web servers that all answer', async () => {
    const flows = new FlowBuilder().repeat(200, 1, T, (i, at) => ({
      client: '10.0.2.7',
      server: `192.0.2.${(i % 40) + 1}`,
      port: 443,
      at,
    }));
    expect(findingsOf(await scan(flows), 'portsweep')).toHaveLength(0);
  });

  it('does not flag a metrics scraper reaching 500 exporters on 9100 while 30 of them are down', async () => {
    const flows = new FlowBuilder().repeat(500, 0.02, T, (i, at) => ({
      client: '10.0.0.20',
      server: host(100, i),
      port: 9100,
      at,
      outcome: i % 17 === 3 ? 'dropped' : 'open',
    }));
    const analysis = await scan(flows);
    // past the host threshold (30 unanswered), so it is the walk over first contacts that clears it
    expect(analysis.detectors[0]?.candidates).toBe(1);
    expect(findingsOf(analysis, 'portsweep')).toHaveLength(0);
  });

  it('still finds the sweep without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder().repeat(60, 0.2, T, (i, at) => ({
      client: '10.0.2.7',
      server: host(3, i),
      port: 445,
      at,
      outcome: i % 2 === 0 ? 'refused' : 'dropped',
    }));
    const full = findingsOf(await scan(flows), 'portsweep')[0];
    const fields = BARE_FIELDS;
    const bare = findingsOf(await scan(flows, { fields }), 'portsweep')[0];
    expect(bare).toMatchObject({ actor: '10.0.2.7', targetCount: 60 });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action|action.*tcp_flags/s);
  });
});
