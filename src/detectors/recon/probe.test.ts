import { describe, expect, it } from 'vitest';
import { BARE_FIELDS, FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';
import probe from './probe.js';

const T = 1_700_000_000;
const DB = '10.0.1.20';
const run = (flows: FlowBuilder) => scanBuilt(flows, { detectors: [probe] });

describe('probe', () => {
  it('rates medium an internet source probing a reachable database port', async () => {
    const flows = new FlowBuilder()
      // the service answers the internet: a customer's app connects fine
      .tcp({ client: '198.51.100.7', server: DB, port: 6379, at: T })
      .repeat(8, 60, T, (_, at) => ({
        client: '203.0.113.50',
        server: DB,
        port: 6379,
        at,
        outcome: 'refused',
      }));
    const [finding, ...rest] = findingsOf(await run(flows), 'probe');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: '203.0.113.50', target: DB, severity: 'medium', count: 8 });
    expect(finding?.explanation).toContain('6379/TCP');
    expect(finding?.explanation).toContain('answers the internet');
    expect(finding?.evidence.every((r) => r.srcAddr === '203.0.113.50' && r.dstPort === 6379)).toBe(true);
  });

  it('counts empty connections to an open port as probes (banner grabs), not real sessions', async () => {
    const flows = new FlowBuilder()
      .repeat(6, 60, T, (_, at) => ({
        client: '203.0.113.54',
        server: DB,
        port: 8080,
        at,
        outBytes: 180,
        outPackets: 3,
      }))
      .repeat(6, 60, T, (_, at) => ({ client: '198.51.100.60', server: DB, port: 8080, at }));
    const found = findingsOf(await run(flows), 'probe');
    expect(found.map((f) => [f.actor, f.severity])).toEqual([['203.0.113.54', 'low']]);
  });

  it('reports persistent probes of a closed service as info', async () => {
    const flows = new FlowBuilder().repeat(20, 30, T, (_, at) => ({
      client: '203.0.113.51',
      server: DB,
      port: 1337,
      at,
      outcome: 'dropped',
    }));
    expect(findingsOf(await run(flows), 'probe').map((f) => f.severity)).toEqual(['info']);
  });

  it('stays silent at four attempts, and for answered login sessions (the bruteforce detector owns those)', async () => {
    const flows = new FlowBuilder()
      .repeat(4, 30, T, (_, at) => ({
        client: '203.0.113.52',
        server: DB,
        port: 8080,
        at,
        outcome: 'dropped',
      }))
      .repeat(30, 5, T, (_, at) => ({ client: '203.0.113.53', server: DB, port: 22, at, outBytes: 3000 }));
    expect(findingsOf(await run(flows), 'probe')).toHaveLength(0);
  });

  it('reports slow, unanswered attempts on a login port: 14 SSH SYNs over a day', async () => {
    const flows = new FlowBuilder().repeat(14, 5400, T, (_, at) => ({
      client: '203.0.113.55',
      server: DB,
      port: 22,
      at,
      outcome: 'dropped',
    }));
    const [finding] = findingsOf(await run(flows), 'probe');
    expect(finding).toMatchObject({ actor: '203.0.113.55', severity: 'info', count: 14 });
  });

  it('does not flag internet users of a public web server, however often they come back', async () => {
    const flows = new FlowBuilder().repeat(300, 10, T, (i, at) => ({
      client: `198.51.100.${i % 20}`,
      server: '10.0.1.10',
      port: 443,
      at,
    }));
    expect(findingsOf(await run(flows), 'probe')).toHaveLength(0);
  });
});

describe('probe without optional fields', () => {
  it('still reports blocked probes without tcp-flags and action, at lower confidence, naming both', async () => {
    const flows = new FlowBuilder().repeat(12, 60, T, (_, at) => ({
      client: '203.0.113.56',
      server: DB,
      port: 1337,
      at,
      outcome: 'refused',
    }));
    const fields = BARE_FIELDS;
    const full = findingsOf(await run(flows), 'probe')[0];
    const bare = findingsOf(await scanBuilt(flows, { detectors: [probe], fields }), 'probe')[0];
    expect(bare).toMatchObject({ actor: '203.0.113.56', count: 12 });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags/);
    expect(bare?.limitations.join(' ')).toMatch(/action/);
  });
});

describe('probe: sessions are not probes, whatever their size', () => {
  const WEB = '10.0.1.30';
  // a connection opened and closed with no data: SYN, ACK, FIN, ACK against SYN-ACK, FIN, ACK
  const empty = { outPackets: 4, outBytes: 232, inPackets: 3, inBytes: 180 };

  it('counts connections opened and closed without data as probes', async () => {
    const flows = new FlowBuilder().repeat(6, 60, T, (_, at) => ({
      client: '203.0.113.60',
      server: WEB,
      port: 8080,
      at,
      ...empty,
    }));
    const found = findingsOf(await run(flows), 'probe');
    expect(found.map((f) => [f.actor, f.count])).toEqual([['203.0.113.60', 6]]);
  });

  it('counts requests answered without data as probes: data one way is no session', async () => {
    const flows = new FlowBuilder().repeat(6, 60, T, (_, at) => ({
      client: '203.0.113.61',
      server: WEB,
      port: 8080,
      at,
      outPackets: 5,
      outBytes: 300,
      inPackets: 3,
      inBytes: 180,
    }));
    expect(findingsOf(await run(flows), 'probe').map((f) => f.actor)).toEqual(['203.0.113.61']);
  });

  it('stays silent at four empty connections', async () => {
    const flows = new FlowBuilder().repeat(4, 60, T, (_, at) => ({
      client: '203.0.113.62',
      server: WEB,
      port: 8080,
      at,
      ...empty,
    }));
    expect(findingsOf(await run(flows), 'probe')).toHaveLength(0);
  });

  it('does not count small complete HTTP exchanges every five minutes for a day (#17)', async () => {
    // 5 packets each way, ~300 and ~540 bytes: a check-in, each with a little data both ways
    const flows = new FlowBuilder().repeat(288, 300, T, (_, at) => ({
      client: '198.51.100.70',
      server: WEB,
      port: 80,
      at,
      outPackets: 5,
      outBytes: 300,
      inPackets: 5,
      inBytes: 540,
    }));
    expect(findingsOf(await run(flows), 'probe')).toHaveLength(0);
  });
});

describe('probe: half-open scans', () => {
  it('counts SYN, SYN-ACK, RST as a probe, even when link-layer headers make its bytes look like data', async () => {
    // as Argus counts it (CTU-13 #11): the client's SYN and RST 122 bytes, the SYN-ACK 62
    const flows = new FlowBuilder().repeat(6, 2, T, (_, at) => ({
      client: '203.0.113.63',
      server: '10.0.1.31',
      port: 13363,
      at,
      outPackets: 2,
      outBytes: 122,
      inPackets: 1,
      inBytes: 62,
      flags: [6, 18],
    }));
    const [finding] = findingsOf(await run(flows), 'probe');
    expect(finding).toMatchObject({ actor: '203.0.113.63', count: 6 });
  });
});

describe('probe: a source that keeps one source port (one 5-tuple over many windows)', () => {
  // the default v2 format: no tcp-flags, so no SYN counts the windows; the rejections must
  const V2 = [
    ...['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol'],
    ...['packets', 'bytes', 'start', 'end', 'action', 'log-status'],
  ] as const;
  // an IoT bot probing telnet from port 40000, one SYN per 10-minute aggregation window, rejected
  const bot = (windows: number) =>
    new FlowBuilder().repeat(windows, 600, T, (_, at) => ({
      client: '198.51.100.69',
      clientPort: 40000,
      server: DB,
      port: 23,
      at,
      outcome: 'rejected',
    }));

  it('counts each rejected window as an attempt: six windows are six probes', async () => {
    const [finding, ...rest] = findingsOf(
      await scanBuilt(bot(6), { detectors: [probe], fields: V2 }),
      'probe',
    );
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: '198.51.100.69', target: DB, severity: 'info', count: 6 });
    expect(finding?.metrics).toMatchObject({ attempts: 6, failed: 6, services: '23/TCP' });
  });

  it('stays silent at four rejected windows', async () => {
    expect(findingsOf(await scanBuilt(bot(4), { detectors: [probe], fields: V2 }), 'probe')).toHaveLength(0);
  });

  it('counts a long session on one 5-tuple once: answered in each of its twelve windows', async () => {
    // an internet client's idle-ish long-lived connection, a few header-sized packets each way a window
    const flows = new FlowBuilder().session({
      client: '198.51.100.71',
      clientPort: 40001,
      server: DB,
      port: 8883,
      at: T,
      duration: 7200,
      outPackets: 2,
      outBytes: 104,
      inPackets: 2,
      inBytes: 104,
    });
    expect(findingsOf(await scanBuilt(flows, { detectors: [probe], fields: V2 }), 'probe')).toHaveLength(0);
  });
});
