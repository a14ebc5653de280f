import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/config.js';
import { ingest } from '../ingest/ingest.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { analyse } from './analyse.js';

/** Ingests `text` as one file, builds fh_connections (no detectors), returns its rows. */
async function connectionsOf(text: string, name = 'flows.log') {
  const dir = await mkdtemp(join(tmpdir(), 'flowhawk-conn-'));
  await writeFile(join(dir, name), text);
  const store = await DuckdbStore.open();
  try {
    await ingest(store, [join(dir, name)]);
    await analyse(store, resolveConfig([], {}, 'test'), []);
    const rows = await store.query(
      `SELECT client, client_port, server, server_port, protocol, out_packets, out_bytes, in_packets, in_bytes,
         failed, orientation, attempts FROM fh_connections ORDER BY client, client_port, server`,
    );
    return rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  } finally {
    store.close();
  }
}

const HEADER =
  'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags';

describe('connection reconstruction', () => {
  it('pairs both directions into one connection, the SYN sender as client', async () => {
    const rows = await connectionsOf(
      [
        HEADER,
        'eni-a 10.0.0.5 10.0.0.9 80 5000 6 8 4000 100 110 ACCEPT 19', // the reply, logged first
        'eni-a 10.0.0.9 10.0.0.5 5000 80 6 10 1200 100 110 ACCEPT 3',
      ].join('\n'),
    );
    expect(rows).toEqual([
      expect.objectContaining({
        client: '10.0.0.9',
        server: '10.0.0.5',
        server_port: 80,
        out_bytes: 1200,
        in_bytes: 4000,
        failed: 0,
        orientation: 'flags',
      }),
    ]);
  });

  it('without flags, takes the side on a well-known port as server', async () => {
    const header = 'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end';
    const rows = await connectionsOf(
      [
        header,
        'eni-a 10.0.0.5 198.51.100.7 443 51000 6 8 4000 100 110',
        'eni-a 198.51.100.7 10.0.0.5 51000 443 6 10 1200 100 110',
      ].join('\n'),
    );
    expect(rows).toEqual([
      expect.objectContaining({ client: '198.51.100.7', server_port: 443, orientation: 'service' }),
    ]);
  });

  it('counts internal traffic logged on both interfaces once', async () => {
    const rows = await connectionsOf(
      [
        HEADER,
        'eni-client 10.0.0.9 10.0.0.5 5000 5432 6 10 1200 100 110 ACCEPT 3',
        'eni-server 10.0.0.9 10.0.0.5 5000 5432 6 10 1200 100 110 ACCEPT 3',
        'eni-server 10.0.0.5 10.0.0.9 5432 5000 6 8 4000 100 110 ACCEPT 19',
        'eni-client 10.0.0.5 10.0.0.9 5432 5000 6 8 4000 100 110 ACCEPT 19',
      ].join('\n'),
    );
    expect(rows).toEqual([
      expect.objectContaining({ out_packets: 10, out_bytes: 1200, in_packets: 8, in_bytes: 4000 }),
    ]);
  });

  it("attributes NAT gateway traffic to the instance, dropping the gateway's own leg (AWS example)", async () => {
    // The AWS VPC User Guide's NAT gateway example, with ports and volumes added.
    const header =
      'interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr srcport dstport protocol packets bytes start end';
    const rows = await connectionsOf(
      [
        header,
        'eni-nat 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5 40000 443 6 10 1200 100 110',
        'eni-nat 10.0.0.220 203.0.113.5 10.0.0.220 203.0.113.5 61000 443 6 10 1200 100 110',
        'eni-nat 203.0.113.5 10.0.0.220 203.0.113.5 10.0.0.220 443 61000 6 8 4000 100 110',
        'eni-nat 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5 443 40000 6 8 4000 100 110',
        'eni-inst 10.0.1.5 203.0.113.5 10.0.1.5 203.0.113.5 40000 443 6 10 1200 100 110',
        'eni-inst 203.0.113.5 10.0.1.5 203.0.113.5 10.0.1.5 443 40000 6 8 4000 100 110',
      ].join('\n'),
    );
    expect(rows).toEqual([
      expect.objectContaining({
        client: '10.0.1.5',
        server: '203.0.113.5',
        server_port: 443,
        out_bytes: 1200,
        in_bytes: 4000,
      }),
    ]);
  });

  it('keeps each Zeek line a connection of its own, even when the source port repeats', async () => {
    const fields = [
      'ts',
      'uid',
      'id.orig_h',
      'id.orig_p',
      'id.resp_h',
      'id.resp_p',
      'proto',
      'duration',
      'history',
      'orig_pkts',
      'orig_ip_bytes',
      'resp_pkts',
      'resp_ip_bytes',
    ];
    const line = (ts: number) =>
      [ts, 'C1', '198.51.100.9', 10647, '10.0.0.5', 23, 'tcp', '0.1', 'S', 1, 60, 0, 0].join('\t');
    const text = ['#separator \\x09', `#fields\t${fields.join('\t')}`, line(100), line(160), line(220)].join(
      '\n',
    );
    const rows = await connectionsOf(text, 'conn.log');
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.client === '198.51.100.9' && r.failed === 1)).toBe(true);
  });
});

describe('internal addresses', () => {
  it("counts a VPC interface's own IPv6 address as internal, told by flow-direction", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flowhawk-v6-'));
    const header =
      'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end flow-direction';
    const own = '2600:1f18:aaa:bb00::10';
    const peer = '2001:db8::99';
    await writeFile(
      join(dir, 'v6.log'),
      [
        header,
        `eni-a ${peer} ${own} 51000 22 6 10 1200 100 110 ingress`,
        `eni-a ${own} ${peer} 22 51000 6 8 4000 100 110 egress`,
      ].join('\n'),
    );
    const store = await DuckdbStore.open();
    try {
      await ingest(store, [join(dir, 'v6.log')]);
      await analyse(store, resolveConfig([], {}, 'test'), []);
      const rows = await store.query(
        'SELECT client, server, client_internal, server_internal FROM fh_connections',
      );
      expect(rows).toEqual([{ client: peer, server: own, client_internal: 0, server_internal: 1 }]);
    } finally {
      store.close();
    }
  });
});

describe('attempts', () => {
  it('counts a new SYN in each window of one 5-tuple as a new attempt (a scanner keeping its source port)', async () => {
    const windows = [0, 600, 1200, 1800].map(
      (t) => `eni-a 198.51.100.9 10.0.0.5 10647 23 6 3 180 ${100 + t} ${160 + t} REJECT 2`,
    );
    const rows = await connectionsOf(
      [
        HEADER,
        ...windows,
        'eni-a 10.0.0.9 10.0.0.5 5000 80 6 9 900 100 110 ACCEPT 3',
        'eni-a 10.0.0.9 10.0.0.5 5000 80 6 20 9000 700 710 ACCEPT 1',
      ].join('\n'),
    );
    expect(rows.map((r) => [r.client, r.attempts])).toEqual([
      ['10.0.0.9', 1],
      ['198.51.100.9', 4],
    ]);
  });

  it('counts each window the server never answered as an attempt, without tcp-flags', async () => {
    const v2 = 'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action';
    const rejected = [0, 600, 1200, 1800, 2400, 3000].map(
      (t) => `eni-a 198.51.100.9 10.0.0.5 40000 23 6 1 40 ${100 + t} ${160 + t} REJECT`,
    );
    // UDP to SNMP from one port, logged on both interfaces (one window is one attempt, not two)
    const unanswered = [0, 600, 1200, 1800].flatMap((t) => [
      `eni-a 10.0.0.7 10.0.0.5 40500 161 17 1 80 ${100 + t} ${160 + t} ACCEPT`,
      `eni-b 10.0.0.7 10.0.0.5 40500 161 17 1 80 ${100 + t} ${160 + t} ACCEPT`,
    ]);
    const rows = await connectionsOf([v2, ...rejected, ...unanswered].join('\n'));
    expect(rows.map((r) => [r.client, r.server_port, r.attempts])).toEqual([
      ['10.0.0.7', 161, 4],
      ['198.51.100.9', 23, 6],
    ]);
  });

  it('counts a 5-tuple the server answered once, however many windows it spans, and a reply-only one once', async () => {
    const v2 = 'interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action';
    const session = [0, 600, 1200, 1800].flatMap((t) => [
      `eni-a 10.0.0.9 10.0.0.5 45000 5432 6 20 3000 ${100 + t} ${160 + t} ACCEPT`,
      `eni-a 10.0.0.5 10.0.0.9 5432 45000 6 20 9000 ${100 + t} ${160 + t} ACCEPT`,
    ]);
    const replies = [0, 600, 1200].map(
      (t) => `eni-a 198.51.100.50 10.0.0.5 80 2099 6 1 44 ${100 + t} ${100 + t} REJECT`,
    );
    const rows = await connectionsOf([v2, ...session, ...replies].join('\n'));
    expect(rows.map((r) => [r.client, r.server_port, r.attempts])).toEqual([
      ['10.0.0.5', 80, 1],
      ['10.0.0.9', 5432, 1],
    ]);
  });
});
