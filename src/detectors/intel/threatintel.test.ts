import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  scanBuilt,
  threatListsConfig,
} from '../../../test/helpers/flowBuilder.js';
import threatintel from './threatintel.js';

const T = 1_700_000_000;
const HOST = '10.0.1.5';
const C2 = '198.51.100.66';
const detectors = [threatintel];

const lists = () =>
  threatListsConfig([
    { name: 'feodo', kind: 'c2', entries: [C2, '2001:db8:bad::/48'] },
    { name: 'tor-exits', kind: 'tor', entries: ['192.0.2.0/24'] },
    { name: 'scanners', kind: 'scanner', entries: ['203.0.113.50', C2] },
    { name: 'drop', entries: ['100.0.0.0/16'] },
    { name: 'bogons', kind: 'other', entries: ['10.0.0.0/8', '172.16.0.0/12'] },
    { name: 'pools', kind: 'mining', entries: ['198.51.100.99'] },
  ]);

describe('threatintel', () => {
  it('rates our host talking to a listed C2 server high, naming the list and the entry', async () => {
    const flows = new FlowBuilder().repeat(6, 60, T, (_, at) => ({
      client: HOST,
      server: C2,
      port: 443,
      at,
    }));
    const [finding, ...rest] = findingsOf(
      await scanBuilt(flows, { detectors, config: await lists() }),
      'threatintel',
    );
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: HOST,
      target: C2,
      direction: 'outbound',
      severity: 'high',
      confidence: 0.9,
      count: 6,
    });
    // also on the scanner list: the C2 list rates it higher and speaks for the finding
    expect(finding?.metrics).toMatchObject({ list: 'feodo', kind: 'c2', entry: C2, lists: 'feodo scanners' });
    expect(finding?.explanation).toBe(
      `${HOST} connected to ${C2}, listed as c2 in "feodo" (entry ${C2}; also in "scanners"): 6 connections on port 443, 6 answered (threshold 1).`,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: HOST, dstAddr: C2, dstPort: 443 });
  });

  it('rates an unanswered C2 attempt medium, and matches IPv6 entries', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: HOST, server: C2, port: 8080, at: T, outcome: 'dropped' })
      // logged on our host's interface: the server end of an IPv6 record on its own interface is ours
      .tcp({ client: 'fd00::5', server: '2001:db8:bad::7', port: 443, at: T, interfaces: ['eni-host'] });
    const found = findingsOf(await scanBuilt(flows, { detectors, config: await lists() }), 'threatintel');
    expect(found.map((f) => [f.actor, f.target, f.severity])).toEqual([
      ['fd00::5', '2001:db8:bad::7', 'high'],
      [HOST, C2, 'medium'],
    ]);
    expect(found[0]?.metrics.entry).toBe('2001:db8:bad::/48');
  });

  it('names an inbound listed scanner as the actor over all the hosts it touched, at low severity', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: '203.0.113.50', server: '10.0.1.10', port: 22, at: T })
      .tcp({ client: '203.0.113.50', server: '10.0.1.11', port: 3389, at: T + 5, outcome: 'dropped' });
    const [finding] = findingsOf(await scanBuilt(flows, { detectors, config: await lists() }), 'threatintel');
    expect(finding).toMatchObject({
      actor: '203.0.113.50',
      target: null,
      targetCount: 2,
      direction: 'inbound',
      severity: 'low',
    });
    expect(finding?.explanation).toContain(
      'connected to 2 of your hosts: 2 connections on port 22, 3389, 1 answered',
    );
  });

  it('rates a Tor exit reaching our service medium, and a broad list block with lower confidence', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: '192.0.2.44', server: '10.0.1.10', port: 443, at: T })
      .tcp({ client: '100.0.7.1', server: '10.0.1.10', port: 443, at: T, outcome: 'rejected' });
    const found = findingsOf(await scanBuilt(flows, { detectors, config: await lists() }), 'threatintel');
    expect(found.map((f) => [f.actor, f.target, f.severity, f.confidence, f.metrics.kind])).toEqual([
      ['192.0.2.44', '10.0.1.10', 'medium', 0.9, 'tor'],
      ['100.0.7.1', '10.0.1.10', 'info', 0.6, 'other'],
    ]);
  });

  it('stays silent just under minConnections, and without any list', async () => {
    const flows = new FlowBuilder().repeat(2, 60, T, (_, at) => ({
      client: HOST,
      server: C2,
      port: 443,
      at,
    }));
    const config = { ...(await lists()), detectors: { threatintel: { minConnections: 3 } } };
    expect(findingsOf(await scanBuilt(flows, { detectors, config }), 'threatintel')).toHaveLength(0);
    expect(findingsOf(await scanBuilt(flows, { detectors }), 'threatintel')).toHaveLength(0);
  });

  it('ignores a neighbour of a listed address, internal hosts inside a listed bogon range, and mining lists', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: HOST, server: '198.51.100.67', port: 443, at: T })
      .tcp({ client: HOST, server: '10.0.2.9', port: 5432, at: T })
      .tcp({ client: '172.16.0.4', server: HOST, port: 22, at: T })
      .tcp({ client: HOST, server: '198.51.100.99', port: 3333, at: T, duration: 7200 });
    expect(
      findingsOf(await scanBuilt(flows, { detectors, config: await lists() }), 'threatintel'),
    ).toHaveLength(0);
  });

  it('still matches without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder().tcp({ client: HOST, server: C2, port: 443, at: T });
    const [bare] = findingsOf(
      await scanBuilt(flows, { detectors, config: await lists(), fields: BARE_FIELDS }),
      'threatintel',
    );
    expect(bare).toMatchObject({ actor: HOST, target: C2, severity: 'high' });
    expect(bare?.confidence).toBeLessThan(0.9);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action/s);
  });
});
