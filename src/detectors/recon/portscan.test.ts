import { describe, expect, it } from 'vitest';
import { BARE_FIELDS, FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';

const T = 1_700_000_000;
const WEB = '10.0.1.10';

describe('portscan', () => {
  it('names an internet scanner whose probes of 200 ports are dropped, at low severity', async () => {
    const flows = new FlowBuilder().repeat(200, 0.5, T, (i, at) => ({
      client: '203.0.113.9',
      server: WEB,
      port: i + 1,
      at,
      outcome: 'rejected',
    }));
    const [finding, ...rest] = findingsOf(await scanBuilt(flows), 'portscan');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: '203.0.113.9',
      target: WEB,
      direction: 'inbound',
      severity: 'low',
    });
    expect(finding?.metrics).toMatchObject({ ports: 200, failedPorts: 200, protocol: 'TCP' });
    expect(finding?.explanation).toContain('200 distinct TCP ports');
    expect(finding?.evidence.length).toBe(10);
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: '203.0.113.9', dstAddr: WEB, dstPort: 1, line: 2 });
  });

  it('rates a scan from one of our own hosts medium, and high past 1,000 ports', async () => {
    const flows = new FlowBuilder()
      .repeat(50, 0.1, T, (i, at) => ({
        client: '10.0.2.7',
        server: WEB,
        port: 1000 + i,
        at,
        outcome: 'refused',
      }))
      .repeat(1200, 0.01, T, (i, at) => ({
        client: '10.0.2.8',
        server: '10.0.3.3',
        port: 2000 + i,
        at,
        outcome: 'dropped',
      }));
    const found = findingsOf(await scanBuilt(flows), 'portscan');
    expect(found.map((f) => [f.actor, f.severity, f.direction])).toEqual([
      ['10.0.2.8', 'high', 'internal'],
      ['10.0.2.7', 'medium', 'internal'],
    ]);
  });

  it('stays silent just under the threshold: four refused ports', async () => {
    const flows = new FlowBuilder().repeat(4, 1, T, (i, at) => ({
      client: '203.0.113.9',
      server: WEB,
      port: 8000 + i,
      at,
      outcome: 'refused',
    }));
    expect(findingsOf(await scanBuilt(flows), 'portscan')).toHaveLength(0);
  });

  it('does not mistake a busy web server answering 500 clients for a scanner', async () => {
    const flows = new FlowBuilder().repeat(500, 0.2, T, (i, at) => ({
      client: `198.51.100.${i % 250}`,
      server: WEB,
      port: 443,
      at,
    }));
    expect(findingsOf(await scanBuilt(flows), 'portscan')).toHaveLength(0);
  });

  describe('slow scans, never five ports within an hour', () => {
    const slow = (ports: number, every: number, client = '10.0.2.7') =>
      new FlowBuilder().repeat(ports, every, T, (i, at) => ({
        client,
        server: WEB,
        port: 7000 + i,
        at,
        outcome: 'refused',
      }));

    it('rates ten refused ports, one every two hours, medium from one of our hosts', async () => {
      const [finding, ...rest] = findingsOf(await scanBuilt(slow(10, 7200)), 'portscan');
      expect(rest).toHaveLength(0);
      expect(finding).toMatchObject({ actor: '10.0.2.7', severity: 'medium' });
      expect(finding?.metrics).toMatchObject({ ports: 10, peakWindowPorts: 1, failedPorts: 10 });
      expect(finding?.explanation).toContain('a slow scan');
    });

    it('reports the boundary, nine refused ports over 16 hours, at low severity', async () => {
      // as 213.226.123.216 did to the Stratosphere 008 host: 9 ports over 12.7 hours, all failed
      const [finding] = findingsOf(await scanBuilt(slow(9, 7200)), 'portscan');
      expect(finding).toMatchObject({ actor: '10.0.2.7', severity: 'low' });
      const [fromOutside] = findingsOf(await scanBuilt(slow(6, 7200, '203.0.113.9')), 'portscan');
      expect(fromOutside).toMatchObject({ actor: '203.0.113.9', severity: 'low', direction: 'inbound' });
    });

    it('stays silent just under: four refused ports over eight hours', async () => {
      expect(findingsOf(await scanBuilt(slow(4, 7200)), 'portscan')).toHaveLength(0);
    });

    it('stays silent for a client using six services of a host over a day, one of them down', async () => {
      const flows = new FlowBuilder().repeat(6, 14_400, T, (i, at) => ({
        client: '10.0.2.7',
        server: WEB,
        port: [22, 443, 5432, 6379, 9200, 8500][i] ?? 22,
        at,
        outcome: i === 3 ? 'refused' : 'open',
      }));
      expect(findingsOf(await scanBuilt(flows), 'portscan')).toHaveLength(0);
    });

    it('is no scan: a host retrying one blocked service from one source port all day', async () => {
      const flows = new FlowBuilder().repeat(48, 1800, T, (_, at) => ({
        client: '10.0.2.7',
        clientPort: 40123,
        server: WEB,
        port: 5432,
        at,
        outcome: 'rejected',
      }));
      const analysis = await scanBuilt(flows);
      expect(
        analysis.findings.filter((f) => f.detector === 'portscan' || f.detector === 'portsweep'),
      ).toEqual([]);
    });
  });

  it('names a sweep of 100 ports that all answer as a scan, without the walk', async () => {
    const flows = new FlowBuilder().repeat(100, 1, T, (i, at) => ({
      client: '10.0.2.7',
      server: WEB,
      port: 10000 + i,
      at,
    }));
    const [finding] = findingsOf(await scanBuilt(flows), 'portscan');
    expect(finding).toMatchObject({ actor: '10.0.2.7', target: WEB, confidence: 0.6 });
    expect(finding?.metrics).toMatchObject({ ports: 100, answeredPorts: 100, failedPorts: 0 });
  });

  it('does not flag a client using a service on twelve ports that all answer', async () => {
    const flows = new FlowBuilder().repeat(12, 5, T, (i, at) => ({
      client: '10.0.2.7',
      server: WEB,
      port: 9000 + i,
      at,
    }));
    expect(findingsOf(await scanBuilt(flows), 'portscan')).toHaveLength(0);
  });

  it('still finds the scan without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder().repeat(60, 0.5, T, (i, at) => ({
      client: '203.0.113.9',
      server: WEB,
      port: i + 1,
      at,
      outcome: 'refused',
    }));
    const full = findingsOf(await scanBuilt(flows), 'portscan')[0];
    const fields = BARE_FIELDS;
    const bare = findingsOf(await scanBuilt(flows, { fields }), 'portscan')[0];
    expect(bare?.actor).toBe('203.0.113.9');
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action|action.*tcp_flags/s);
  });

  it('suppresses an allowlisted vulnerability scanner, keeping the reason', async () => {
    const flows = new FlowBuilder().repeat(100, 0.1, T, (i, at) => ({
      client: '10.9.0.5',
      server: WEB,
      port: i + 1,
      at,
      outcome: 'refused',
    }));
    const config = {
      allowlist: [{ cidr: ['10.9.0.0/24'], detector: ['portscan'], reason: 'Nessus scanner' }],
    };
    const analysis = await scanBuilt(flows, { config });
    expect(findingsOf(analysis, 'portscan')).toHaveLength(0);
    expect(findingsOf(analysis, 'portscan', true)[0]?.suppressed).toEqual({
      reason: 'Nessus scanner',
      rule: 0,
    });
  });
});
