import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  queryBuilt,
  scanBuilt,
} from '../../test/helpers/flowBuilder.js';
import { resolveConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { ingest } from '../ingest/ingest.js';
import type { Analysis } from '../report.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { analyse } from './analyse.js';

/**
 * Who initiated a connection when the flags do not say (orientation.ts): the default v2 format has
 * no tcp-flags, so these run on BARE_FIELDS, where only ports, peers and times are known.
 */

const T = 1_700_000_000;
const CONNECTIONS =
  'SELECT client, client_port, server, server_port, orientation, failed FROM fh_connections';

/** Windows XP/2003 clients: source ports from the legacy range 1025-5000. */
function windowsClients(server: string, port: number, clients: number, each: number): FlowBuilder {
  const b = new FlowBuilder();
  for (let c = 0; c < clients; c++) {
    for (let i = 0; i < each; i++) {
      b.tcp({ client: `10.0.5.${c + 1}`, clientPort: 1025 + c * 100 + i, server, port, at: T + i });
    }
  }
  return b;
}

/** Records as written (a header line of `fields`), scanned with every detector. */
async function scanLines(
  fields: string,
  lines: readonly string[],
): Promise<{ analysis: Analysis; rows: Record<string, unknown>[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'flowhawk-orientation-'));
  const file = join(dir, 'flows.log');
  await writeFile(file, `${fields}\n${lines.join('\n')}\n`);
  const store = await DuckdbStore.open();
  try {
    await ingest(store, [file]);
    const analysis = await analyse(store, resolveConfig(DETECTORS, {}, 'test'), DETECTORS);
    const rows = (await store.query(`${CONNECTIONS} ORDER BY client, client_port, server, server_port`)).map(
      (r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
    return { analysis, rows };
  } finally {
    store.close();
  }
}

describe('orientation without tcp-flags', () => {
  it('keeps Windows clients on 1025-5000 the clients of a server on 8080: the server scans nobody', async () => {
    const flows = windowsClients('10.0.0.80', 8080, 3, 25);
    const rows = await queryBuilt(flows, CONNECTIONS, { fields: BARE_FIELDS });
    expect(rows).toHaveLength(75);
    expect(rows.every((r) => r.server === '10.0.0.80' && r.server_port === 8080)).toBe(true);
    expect(new Set(rows.map((r) => r.orientation))).toEqual(new Set(['service']));
    const analysis = await scanBuilt(flows, { fields: BARE_FIELDS });
    expect(analysis.findings.filter((f) => f.actor === '10.0.0.80')).toEqual([]);
  });

  it('names the server on an unlisted port by its clients (popularity), not by one client', async () => {
    // 3000 lies in the legacy Windows range itself: only the clients it shares tell it apart
    const shared = await queryBuilt(windowsClients('10.0.0.90', 3000, 3, 2), CONNECTIONS, {
      fields: BARE_FIELDS,
    });
    expect(shared.every((r) => r.server === '10.0.0.90' && r.orientation === 'popularity')).toBe(true);
    // just under: one client, however many connections, makes no port popular
    const alone = await queryBuilt(windowsClients('10.0.0.90', 3000, 1, 5), CONNECTIONS, {
      fields: BARE_FIELDS,
    });
    expect(alone.some((r) => r.orientation === 'popularity')).toBe(false);
  });

  it('decides a lone Windows client against an unlisted port by the ephemeral ranges', async () => {
    const flows = new FlowBuilder().tcp({
      client: '10.0.5.1',
      clientPort: 1030,
      server: '10.0.0.91',
      port: 8081,
      at: T,
    });
    expect(await queryBuilt(flows, CONNECTIONS, { fields: BARE_FIELDS })).toEqual([
      expect.objectContaining({ client: '10.0.5.1', server_port: 8081, orientation: 'ephemeral' }),
    ]);
  });

  it('raises no exposure for a client port that happens to be 3389, and still does for an RDP server', async () => {
    const flows = new FlowBuilder()
      // our Windows host calling an internet web service from ephemeral port 3389, on 8080 and 8081
      .tcp({ client: '10.0.0.15', clientPort: 3389, server: '198.51.100.20', port: 8080, at: T })
      .tcp({ client: '10.0.0.15', clientPort: 3389, server: '198.51.100.21', port: 8081, at: T + 700 })
      // the firing case beside it: an internet client on a real RDP server of ours
      .tcp({ client: '198.51.100.30', clientPort: 50123, server: '10.0.0.16', port: 3389, at: T });
    const rows = await queryBuilt(flows, CONNECTIONS, { fields: BARE_FIELDS });
    expect(rows.filter((r) => r.client === '10.0.0.15').map((r) => r.client_port)).toEqual([3389, 3389]);
    const exposed = findingsOf(await scanBuilt(flows, { fields: BARE_FIELDS }), 'exposure');
    expect(exposed.map((f) => [f.target, f.severity])).toEqual([['10.0.0.16', 'medium']]);
  });

  it('leaves a scanner that keeps one source port the client of the hosts it sweeps', async () => {
    // the look-alike of a popular server: one address and port meeting many peers, all on 8081
    const flows = new FlowBuilder();
    for (let i = 0; i < 40; i++) {
      flows.tcp({
        client: '203.0.113.77',
        clientPort: 40000,
        server: `10.0.3.${i + 1}`,
        port: 8081,
        at: T + i,
        outcome: i % 10 === 0 ? 'open' : 'dropped',
      });
    }
    const rows = await queryBuilt(flows, CONNECTIONS, { fields: BARE_FIELDS });
    expect(rows.every((r) => r.client === '203.0.113.77')).toBe(true);
    const sweeps = findingsOf(await scanBuilt(flows, { fields: BARE_FIELDS }), 'portsweep');
    expect(sweeps.map((f) => f.actor)).toEqual(['203.0.113.77']);
  });
});

describe('orientation of a side that only reset', () => {
  const FIELDS =
    'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags';
  // a scanned host's refusals are all the log holds: its RSTs from the high ports it was probed on
  const refusals = Array.from(
    { length: 12 },
    (_, i) => `eni-a 10.0.0.30 203.0.113.50 ${40001 + i} 50000 6 1 40 ${T + i} ${T + i + 1} ACCEPT 20`,
  );

  it('takes the host that only sent RSTs for the scanned one, not the scanner', async () => {
    const { analysis, rows } = await scanLines(FIELDS, refusals);
    expect(rows).toHaveLength(12);
    expect(
      rows.every((r) => r.client === '203.0.113.50' && r.orientation === 'reset' && r.failed === 1),
    ).toBe(true);
    expect(analysis.findings.filter((f) => f.actor === '10.0.0.30')).toEqual([]);
    expect(findingsOf(analysis, 'portscan').map((f) => [f.actor, f.target])).toEqual([
      ['203.0.113.50', '10.0.0.30'],
    ]);
  });

  it('keeps a client that reset a web session the client: the service port says who serves', async () => {
    const { rows } = await scanLines(FIELDS, [
      `eni-a 10.0.0.40 198.51.100.60 51000 443 6 1 40 ${T} ${T + 1} ACCEPT 20`,
    ]);
    expect(rows).toEqual([
      expect.objectContaining({ client: '10.0.0.40', server_port: 443, orientation: 'service' }),
    ]);
  });

  it('keeps a side that sent data before its RST the only side, and so the client', async () => {
    // biflow formats OR a side's flags into one record: data, then RST+ACK, reads as flags 20
    const { rows } = await scanLines(FIELDS, [
      `eni-a 10.0.0.41 10.0.0.42 45000 46000 6 30 24000 ${T} ${T + 5} ACCEPT 20`,
    ]);
    expect(rows).toEqual([expect.objectContaining({ client: '10.0.0.41', orientation: 'one-sided' })]);
  });
});

describe('orientation of a side that only answered', () => {
  // the default v2 format: no tcp-flags, so a SYN-ACK and a SYN read alike
  const V2 =
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  const v2 = (src: string, dst: string, sp: number, dp: number, at: number, proto = 6, bytes = 44) =>
    `2 123456789012 eni-a ${src} ${dst} ${sp} ${dp} ${proto} 1 ${bytes} ${at} ${at} REJECT OK`;
  const atLeastMedium = (a: Analysis) =>
    a.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info');

  it('takes backscatter for replies: a SYN flood forged from our address makes the web server no flooder', async () => {
    // 7,000 SYN-ACKs in a minute from port 80 to as many ports of ours, rejected by its security group
    const lines = Array.from({ length: 7000 }, (_, i) =>
      v2('198.51.100.50', '10.0.1.68', 80, 2000 + i, T + Math.floor(i / 120)),
    );
    const { analysis, rows } = await scanLines(V2, lines);
    const replies = rows.filter((r) => r.orientation === 'reply');
    // every port but the few registered services (5432, 8080 …) the forged source ports ran through
    expect(replies.length).toBeGreaterThan(6970);
    expect(replies.every((r) => r.client === '10.0.1.68' && r.server_port === 80 && r.failed === 0)).toBe(
      true,
    );
    expect(findingsOf(analysis, 'flood')).toEqual([]);
    expect(atLeastMedium(analysis)).toEqual([]);
  });

  it('does not make our forged address sweep port 80 of the thirty web servers a flood was aimed at', async () => {
    const lines = Array.from({ length: 30 }, (_, v) =>
      Array.from({ length: 20 }, (_, i) =>
        v2(`198.51.100.${v + 1}`, '10.0.1.68', 80, 2000 + v * 20 + i, T + i),
      ),
    ).flat();
    const { analysis, rows } = await scanLines(V2, lines);
    expect(rows.every((r) => r.client === '10.0.1.68' && r.orientation === 'reply')).toBe(true);
    // the replies' perfect 1 s rhythm is no beacon either: the forged host never called
    const scans = ['portsweep', 'portscan', 'probe', 'flood', 'dos', 'beacon'];
    expect(analysis.findings.filter((f) => scans.includes(f.detector))).toEqual([]);
    expect(atLeastMedium(analysis)).toEqual([]);
  });

  it('just under: records from a port that is no service port stay the requests of the only side that sent', async () => {
    // the same shape from 7777: a scanner keeping one source port, whose probes were all rejected
    const lines = Array.from({ length: 40 }, (_, i) =>
      v2('203.0.113.60', '10.0.1.68', 7777, 2000 + i, T + i),
    );
    const { analysis, rows } = await scanLines(V2, lines);
    expect(rows.every((r) => r.client === '203.0.113.60' && r.orientation === 'one-sided')).toBe(true);
    expect(findingsOf(analysis, 'portscan').map((f) => f.actor)).toEqual(['203.0.113.60']);
  });

  it('keeps a scanner sending from port 80 the client of the service ports it probes', async () => {
    const ports = [21, 22, 23, 25, 110, 143, 445, 993, 5432, 6379, 8080, 9200];
    const lines = ports.map((port, i) => v2('203.0.113.61', '10.0.1.70', 80, port, T + i));
    const { analysis, rows } = await scanLines(V2, lines);
    expect(rows.every((r) => r.client === '203.0.113.61' && r.orientation === 'one-sided')).toBe(true);
    expect(findingsOf(analysis, 'portscan').map((f) => [f.actor, f.target])).toEqual([
      ['203.0.113.61', '10.0.1.70'],
    ]);
  });

  it("reads a web server's replies to a Windows client's legacy ports (3389, 1433 …) as replies, not a scan", async () => {
    // only the replies were logged (the client's requests left by another path): from 443 to the
    // 1025-5000 ports an old Windows client chose, some of which name services of their own
    const ports = [1433, 1521, 2049, 3306, 3389, 4444, 5000];
    const lines = ports.map((port, i) =>
      v2('198.51.100.20', '10.0.0.15', 443, port, T + i * 60).replace('REJECT', 'ACCEPT'),
    );
    const { analysis, rows } = await scanLines(V2, lines);
    expect(
      rows.every((r) => r.client === '10.0.0.15' && r.server_port === 443 && r.orientation === 'reply'),
    ).toBe(true);
    expect(analysis.findings).toEqual([]);
  });

  it("keeps a busy server's RSTs to stray packets the server's: it resets 40 clients and scans none", async () => {
    const FIELDS =
      'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags';
    const strays = Array.from(
      { length: 40 },
      (_, i) =>
        `eni-a 10.0.0.80 198.51.100.${i + 1} 443 ${50000 + i * 7} 6 1 40 ${T + i} ${T + i + 1} ACCEPT 4`,
    );
    const { analysis, rows } = await scanLines(FIELDS, strays);
    expect(rows.every((r) => r.server === '10.0.0.80' && r.server_port === 443)).toBe(true);
    expect(analysis.findings.filter((f) => f.actor === '10.0.0.80')).toEqual([]);
  });
});

describe('orientation of multicast-discovery answers', () => {
  const FIELDS =
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  // the unicast answers to a querier's multicast queries, one query an hour-long session every 2 min,
  // each from a fresh ephemeral port: the queries went to a multicast group and are not logged
  const answers = (from: string, port: number, count: number) =>
    Array.from(
      { length: count },
      (_, i) =>
        `2 123456789012 eni-b ${from} 10.0.0.50 ${port} ${50000 + i} 17 1 320 ${T + i * 120} ${T + i * 120} ACCEPT OK`,
    );

  it('reads SSDP, mDNS, NetBIOS, LLMNR and WS-Discovery answers as replies, not UDP scans of the querier', async () => {
    const lines = [
      ...answers('10.0.0.21', 1900, 30), // a smart TV answering M-SEARCH
      ...answers('10.0.0.22', 1900, 30), // a printer
      ...answers('10.0.0.23', 5353, 30), // mDNS, one-shot queries
      ...answers('10.0.0.24', 137, 30), // NetBIOS name queries
      ...answers('10.0.0.25', 5355, 30), // LLMNR
      ...answers('10.0.0.26', 3702, 30), // WS-Discovery
    ];
    const { analysis, rows } = await scanLines(FIELDS, lines);
    expect(rows).toHaveLength(180);
    expect(rows.every((r) => r.client === '10.0.0.50' && r.orientation === 'reply')).toBe(true);
    expect(analysis.findings).toEqual([]);
  });

  it('just under: the same from UDP 1901, no discovery port, is still a UDP scan of the receiver', async () => {
    const { analysis } = await scanLines(FIELDS, answers('10.0.0.21', 1901, 30));
    expect(findingsOf(analysis, 'portscan').map((f) => [f.actor, f.target, f.severity])).toEqual([
      ['10.0.0.21', '10.0.0.50', 'medium'],
    ]);
  });

  it('leaves an "answer" from the internet one-sided: no query of ours reached it (SSDP reflection)', async () => {
    const lines = answers('198.51.100.80', 1900, 30).map((l) => l.replace(' 10.0.0.50 ', ' 10.0.0.51 '));
    const { rows } = await scanLines(FIELDS, lines);
    expect(rows.every((r) => r.client === '198.51.100.80' && r.orientation === 'one-sided')).toBe(true);
  });
});
