import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  type Connection,
  FlowBuilder,
  findingsOf,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import resolver from './resolver.js';

const T = 1_700_000_000;
const HOST = '10.0.1.5';
const detectors = [resolver];

/** `n` UDP DNS queries, one source port each, a second apart */
const queries = (
  flows: FlowBuilder,
  n: number,
  client: string,
  server: string,
  more: Partial<Connection> = {},
) =>
  flows.repeat(n, 1, T, (_, at) => ({
    client,
    server,
    port: 53,
    protocol: 17,
    at,
    outPackets: 1,
    outBytes: 70,
    inPackets: 1,
    inBytes: 120,
    ...more,
  }));

describe('resolver', () => {
  it('finds our host resolving through an unknown internet DNS server, at medium severity', async () => {
    const flows = queries(new FlowBuilder(), 30, HOST, '203.0.113.53');
    const [finding, ...rest] = findingsOf(await scanBuilt(flows, { detectors }), 'resolver');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: HOST,
      target: '203.0.113.53',
      direction: 'outbound',
      severity: 'medium',
      count: 30,
    });
    expect(finding?.explanation).toBe(
      `${HOST} used plain DNS to 203.0.113.53 instead of the VPC resolver: 30 connections, 30 answered (threshold 5).`,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: HOST, dstAddr: '203.0.113.53', dstPort: 53 });
  });

  it('rates a host configured with a public resolver low', async () => {
    const flows = queries(new FlowBuilder(), 30, HOST, '8.8.8.8');
    const [finding] = findingsOf(await scanBuilt(flows, { detectors }), 'resolver');
    expect(finding).toMatchObject({ actor: HOST, target: '8.8.8.8', severity: 'low' });
    expect(finding?.explanation).toContain('to 8.8.8.8 (a public resolver) instead of the VPC resolver');
  });

  it('finds DNS over HTTPS to a public resolver (IPv6 too) and DNS over TLS, at medium severity', async () => {
    const flows = new FlowBuilder()
      .repeat(3, 60, T, (_, at) => ({ client: HOST, server: '1.1.1.1', port: 443, at }))
      .tcp({ client: '10.0.1.6', server: '9.9.9.9', port: 853, at: T })
      .tcp({ client: 'fd00::7', server: '2606:4700:4700::1111', port: 443, at: T, interfaces: ['eni-host'] })
      .tcp({ client: '10.0.1.8', server: '203.0.113.80', port: 443, at: T });
    const found = findingsOf(await scanBuilt(flows, { detectors }), 'resolver');
    expect(found.map((f) => [f.actor, f.target, f.severity, f.metrics.channel])).toEqual([
      [HOST, '1.1.1.1', 'medium', 'doh'],
      ['fd00::7', '2606:4700:4700::1111', 'medium', 'doh'],
      ['10.0.1.6', '9.9.9.9', 'medium', 'dot'],
    ]);
    expect(found[0]?.explanation).toContain('used DNS-over-HTTPS to 1.1.1.1 (a public resolver)');
  });

  it('rates 1.4 MB of DNS to one unknown server high: the volume of a tunnel', async () => {
    const flows = queries(new FlowBuilder(), 2000, HOST, '198.51.100.53', { outBytes: 300, inBytes: 400 });
    const [finding] = findingsOf(await scanBuilt(flows, { detectors }), 'resolver');
    expect(finding).toMatchObject({ actor: HOST, severity: 'high' });
    expect(finding?.explanation).toContain(
      '1,400,000 bytes went to 198.51.100.53, not a public resolver (threshold 1,000,000)',
    );
  });

  it('stays silent just under the threshold: four queries to 8.8.8.8, single queries to six servers', async () => {
    const flows = queries(new FlowBuilder(), 4, HOST, '8.8.8.8');
    for (let i = 0; i < 6; i++) queries(flows, 1, '10.0.1.6', `203.0.113.${i + 1}`);
    expect(findingsOf(await scanBuilt(flows, { detectors }), 'resolver')).toHaveLength(0);
  });

  it('stays silent for hosts using the VPC resolver, and for a forwarder serving other hosts', async () => {
    const flows = new FlowBuilder();
    queries(flows, 50, HOST, '10.0.0.2');
    queries(flows, 50, '10.0.1.6', '169.254.169.253');
    // 10.0.0.53 answers three hosts and forwards to its configured upstream
    for (const client of ['10.0.1.7', '10.0.1.8', '10.0.1.9']) queries(flows, 10, client, '10.0.0.53');
    queries(flows, 100, '10.0.0.53', '8.8.8.8');
    expect(findingsOf(await scanBuilt(flows, { detectors }), 'resolver')).toHaveLength(0);
  });

  it('rates a host doing its own recursion low, and the allowlist silences a sanctioned one', async () => {
    const flows = new FlowBuilder();
    for (let i = 0; i < 30; i++) queries(flows, 5, '10.0.5.5', `198.51.100.${i + 1}`);
    const [finding] = findingsOf(await scanBuilt(flows, { detectors }), 'resolver');
    expect(finding).toMatchObject({ actor: '10.0.5.5', target: null, targetCount: 30, severity: 'low' });
    expect(finding?.explanation).toContain(
      '30 distinct servers (threshold 20): it resolves recursively itself',
    );
    const config = {
      allowlist: [
        { cidr: ['10.0.5.5'], role: 'actor', detector: ['resolver'], reason: 'unbound on the mail relay' },
      ],
    };
    expect(findingsOf(await scanBuilt(flows, { detectors, config }), 'resolver')).toHaveLength(0);
  });

  it('still finds the outside resolver without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = queries(new FlowBuilder(), 30, HOST, '203.0.113.53');
    const [bare] = findingsOf(await scanBuilt(flows, { detectors, fields: BARE_FIELDS }), 'resolver');
    expect(bare).toMatchObject({ actor: HOST, target: '203.0.113.53', severity: 'medium' });
    expect(bare?.confidence).toBeLessThan(0.85);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action/s);
  });
});
