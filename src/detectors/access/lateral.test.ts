import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  type Connection,
  FlowBuilder,
  findingsOf,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import lateral from './lateral.js';

const T = 1_700_000_000;
const HOUR = 3600;
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors: [lateral], ...options });

/** An internal admin session, logged on both interfaces as VPC does for internal traffic. */
const admin = (
  client: string,
  server: string,
  port: number,
  at: number,
  c: Partial<Connection> = {},
): Connection => ({
  client,
  server,
  port,
  at,
  interfaces: ['eni-client', 'eni-server'],
  ...c,
});

/** The i-th host of an inventory in 10.0.20.0/24. */
const host = (i: number) => `10.0.20.${10 + i}`;

describe('lateral', () => {
  it('names a host reaching SMB on 25 internal hosts within 5 minutes, high', async () => {
    const flows = new FlowBuilder().repeat(25, 12, T, (i, at) => admin('10.0.5.5', host(i), 445, at));
    const [finding, ...rest] = findingsOf(await scan(flows), 'lateral');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: '10.0.5.5',
      target: null,
      targetCount: 25,
      direction: 'internal',
      severity: 'high',
    });
    expect(finding?.metrics).toMatchObject({ peakHosts: 25, hosts: 25, answered: 25, ports: '445', runs: 1 });
    expect(finding?.explanation).toContain(
      'reached 25 internal hosts on port 445 within 5 minutes (threshold 10 hosts within 10 minutes)',
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: '10.0.5.5', dstPort: 445 });
  });

  it('rates a fan-out where every connection failed medium: nothing moved yet', async () => {
    const flows = new FlowBuilder().repeat(30, 5, T, (i, at) =>
      admin('10.0.5.6', host(i), i % 2 === 0 ? 445 : 135, at, { outcome: 'dropped' }),
    );
    const [finding] = findingsOf(await scan(flows), 'lateral');
    expect(finding).toMatchObject({ actor: '10.0.5.6', severity: 'medium', targetCount: 30 });
    expect(finding?.metrics).toMatchObject({ ports: '135 445', failed: 30 });
    expect(finding?.explanation).toContain('none answered');
  });

  it('stays silent just under the threshold: 9 hosts in 5 minutes, or 30 hosts one every 2 minutes', async () => {
    const flows = new FlowBuilder()
      .repeat(9, 30, T, (i, at) => admin('10.0.5.7', host(i), 3389, at))
      .repeat(30, 120, T, (i, at) => admin('10.0.5.8', host(i), 22, at));
    expect(findingsOf(await scan(flows), 'lateral')).toHaveLength(0);
  });

  it('does not flag 200 workstations using one file server and two domain controllers', async () => {
    const flows = new FlowBuilder().repeat(200, 3, T, (i, at) =>
      admin(`10.0.30.${i + 1}`, '10.0.1.5', 445, at),
    );
    for (const dc of ['10.0.1.2', '10.0.1.3']) {
      flows.repeat(200, 3, T + 1, (i, at) => admin(`10.0.30.${i + 1}`, dc, 445, at));
      flows.repeat(200, 3, T + 2, (i, at) => admin(`10.0.30.${i + 1}`, dc, 135, at));
    }
    expect(findingsOf(await scan(flows), 'lateral')).toHaveLength(0);
  });

  it('does not count an internet source reaching many of our hosts (inbound is not lateral)', async () => {
    const flows = new FlowBuilder().repeat(40, 2, T, (i, at) => ({
      client: '203.0.113.9',
      server: host(i),
      port: 22,
      at,
    }));
    expect(findingsOf(await scan(flows), 'lateral')).toHaveLength(0);
  });

  it('rates configuration management reaching the same 30 hosts every hour for 6 hours low, saying why', async () => {
    const flows = new FlowBuilder();
    for (let run = 0; run < 6; run++) {
      flows.repeat(30, 2, T + run * HOUR, (i, at) => admin('10.0.9.9', host(i), 22, at, { duration: 40 }));
    }
    const [finding] = findingsOf(await scan(flows), 'lateral');
    expect(finding).toMatchObject({ actor: '10.0.9.9', severity: 'low', targetCount: 30, count: 180 });
    expect(finding?.metrics).toMatchObject({ runs: 6, repeatShare: 1 });
    expect(finding?.explanation).toContain('the same hosts were reached in 6 runs over 5 hours');
  });

  it('keeps a single configuration-management run high, and suppresses it once allowlisted', async () => {
    const flows = new FlowBuilder().repeat(30, 2, T, (i, at) => admin('10.0.9.9', host(i), 22, at));
    expect(findingsOf(await scan(flows), 'lateral')[0]?.severity).toBe('high');
    const config = {
      allowlist: [
        {
          cidr: ['10.0.9.9'],
          role: 'actor',
          port: [22],
          detector: ['lateral'],
          reason: 'Ansible control node',
        },
      ],
    };
    const analysis = await scan(flows, { config });
    expect(findingsOf(analysis, 'lateral')).toHaveLength(0);
    expect(findingsOf(analysis, 'lateral', true)[0]?.suppressed).toEqual({
      reason: 'Ansible control node',
      rule: 0,
    });
  });

  it('keeps high a host that repeats the same sweep but reaches new hosts each run, or mostly fails', async () => {
    const flows = new FlowBuilder();
    for (let run = 0; run < 4; run++) {
      // an intruder working through the subnet: 20 new hosts per run
      flows.repeat(20, 3, T + run * HOUR, (i, at) =>
        admin('10.0.5.10', `10.0.${21 + run}.${i + 1}`, 445, at),
      );
      // a worm rescanning one subnet: the same hosts, 9 in 10 refusing
      flows.repeat(20, 3, T + run * HOUR, (i, at) =>
        admin('10.0.5.11', host(i), 445, at, { outcome: i % 10 === 0 ? 'open' : 'refused' }),
      );
    }
    const found = findingsOf(await scan(flows), 'lateral');
    expect(found.map((f) => [f.actor, f.severity])).toEqual([
      ['10.0.5.10', 'high'],
      ['10.0.5.11', 'high'],
    ]);
  });

  it('still finds the fan-out without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder().repeat(25, 12, T, (i, at) => admin('10.0.5.5', host(i), 445, at));
    const full = findingsOf(await scan(flows), 'lateral')[0];
    const fields = BARE_FIELDS;
    const bare = findingsOf(await scan(flows, { fields }), 'lateral')[0];
    expect(bare).toMatchObject({ actor: '10.0.5.5', targetCount: 25, severity: 'high' });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action|action.*tcp_flags/s);
  });
});
