import { describe, expect, it } from 'vitest';
import {
  AWS_SERVICE_FIELDS,
  BARE_FIELDS,
  type Connection,
  FlowBuilder,
  findingsOf,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import longconn from './longconn.js';

const T = 1_700_000_000;
const HOST = '10.0.1.20';
const REMOTE = '198.51.100.7';
const HOUR = 3600;
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors: [longconn], ...options });

/** Per 10-minute window: keystrokes and short replies, 135 bytes per packet both ways. */
const typing: Partial<Connection> = { outPackets: 120, outBytes: 9000, inPackets: 110, inBytes: 22_000 };
/** Per 10-minute window: a download, about 950 bytes per packet both ways. */
const bulk: Partial<Connection> = {
  outPackets: 2000,
  outBytes: 104_000,
  inPackets: 4000,
  inBytes: 5_600_000,
};

const session = (duration: number, c: Partial<Connection> = {}) =>
  new FlowBuilder().session({ client: HOST, server: REMOTE, port: 4444, at: T, duration, ...typing, ...c });

describe('longconn', () => {
  it('names a shell-like session held open for 3 hours on port 4444, medium', async () => {
    const [finding, ...rest] = findingsOf(await scan(session(3 * HOUR)), 'longconn');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: HOST,
      target: REMOTE,
      direction: 'outbound',
      severity: 'medium',
      count: 1,
    });
    expect(finding?.metrics).toMatchObject({
      port: 4444,
      protocol: 'TCP',
      bytesPerPacket: 135,
      twoWay: 'yes',
      stretches: 1,
    });
    expect(Number(finding?.metrics.longestSeconds)).toBeGreaterThan(3 * HOUR - 5);
    expect(finding?.explanation).toBe(
      '10.0.1.20 held a TCP connection to 198.51.100.7 port 4444 open for 3 hours (threshold 60 minutes, one level higher from 8 hours), 135 bytes per packet both ways (under 400: keystrokes and replies, not a transfer).',
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: HOST, dstAddr: REMOTE, dstPort: 4444 });
  });

  it('rates it high past 8 hours, and a bulk transfer of 2 hours low', async () => {
    expect(findingsOf(await scan(session(9 * HOUR)), 'longconn')[0]?.severity).toBe('high');
    const transfer = findingsOf(await scan(session(2 * HOUR, { port: 9000, ...bulk })), 'longconn')[0];
    expect(transfer?.severity).toBe('low');
    expect(transfer?.explanation).toContain('not under 400: no sign of interactive use');
  });

  it('does not raise a session of small packets that only keeps alive: under 60 packets an hour', async () => {
    // per 10-minute window 4 + 4 packets of 60 bytes (48 an hour): a heartbeat, nobody typing
    const idle = { outPackets: 4, outBytes: 240, inPackets: 4, inBytes: 240 };
    const [quiet] = findingsOf(await scan(session(3 * HOUR, idle)), 'longconn');
    expect(quiet).toMatchObject({ severity: 'low', subScores: { interactive: 0 } });
    expect(quiet?.metrics.packetsPerHour).toBeLessThan(60);
    expect(quiet?.explanation).toContain(
      'packets an hour (under 60: keep-alives of an idle session, not use)',
    );
    // 6 + 6 a window (72 an hour) is use: medium, as a typed-in shell is
    const used = { outPackets: 6, outBytes: 360, inPackets: 6, inBytes: 360 };
    expect(findingsOf(await scan(session(3 * HOUR, used)), 'longconn')[0]?.severity).toBe('medium');
  });

  it('rates day-long push channels low: FCM on 5228-5230, APNs on 5223 and 2197', async () => {
    // a phone's push connection: a heartbeat every 15 minutes, about 16 small packets an hour
    const heartbeat = { outPackets: 2, outBytes: 140, inPackets: 1, inBytes: 80 };
    for (const port of [5229, 5230, 2197, 5223]) {
      const found = findingsOf(await scan(session(10 * HOUR, { port, ...heartbeat })), 'longconn');
      expect(found.map((f) => f.severity)).toEqual(['low']);
      expect(found[0]?.explanation).toContain(`port ${port} serves connections that stay open by design`);
    }
  });

  it('stays silent just under an hour', async () => {
    expect(findingsOf(await scan(session(HOUR - 60)), 'longconn')).toHaveLength(0);
  });

  it('rates one long SSH admin session low, however long and interactive', async () => {
    const [finding] = findingsOf(await scan(session(10 * HOUR, { port: 22 })), 'longconn');
    expect(finding?.severity).toBe('low');
    expect(finding?.explanation).toContain('port 22 serves connections that stay open by design');
  });

  it('rates a day-long websocket to an API low, and one to an AWS endpoint (SSM) info', async () => {
    const keepalive = { outPackets: 20, outBytes: 1800, inPackets: 20, inBytes: 1800 };
    const saas = findingsOf(await scan(session(24 * HOUR, { port: 443, ...keepalive })), 'longconn');
    expect(saas.map((f) => f.severity)).toEqual(['low']);
    const ssm = session(24 * HOUR, {
      server: '52.94.236.248',
      port: 443,
      awsService: 'AMAZON',
      ...keepalive,
    });
    const found = findingsOf(await scan(ssm, { fields: AWS_SERVICE_FIELDS }), 'longconn');
    expect(found.map((f) => [f.target, f.severity])).toEqual([['52.94.236.248', 'info']]);
  });

  it('does not chain a reused 5-tuple: two 40-minute connections on one client port', async () => {
    const apart = new FlowBuilder()
      .session({
        client: HOST,
        server: REMOTE,
        port: 4444,
        clientPort: 50_000,
        at: T,
        duration: 2400,
        ...typing,
      })
      .session({
        client: HOST,
        server: REMOTE,
        port: 4444,
        clientPort: 50_000,
        at: T + 2400 + 300,
        duration: 2400,
        ...typing,
      });
    // 85 minutes first to last record, but the client opened a second connection (a SYN) after 45 minutes
    expect(findingsOf(await scan(apart), 'longconn')).toHaveLength(0);
    // without tcp-flags the SYN is unseen and a 5-minute pause is no gap: one 85-minute connection
    const bare = findingsOf(await scan(apart, { fields: BARE_FIELDS }), 'longconn');
    expect(bare.map((f) => f.severity)).toEqual(['medium']);
    expect(bare[0]?.limitations.join(' ')).toContain('tcp_flags');
  });

  it('breaks a connection at a silence longer than maxGap', async () => {
    const flows = new FlowBuilder()
      .session({
        client: HOST,
        server: REMOTE,
        port: 5000,
        clientPort: 50_001,
        at: T,
        duration: 2400,
        protocol: 17,
      })
      .session({
        client: HOST,
        server: REMOTE,
        port: 5000,
        clientPort: 50_001,
        at: T + 2400 + 1200,
        duration: 2400,
        protocol: 17,
      });
    expect(findingsOf(await scan(flows), 'longconn')).toHaveLength(0);
  });

  it('ignores an NTP client polling from port 123 for a day, and inbound sessions', async () => {
    const flows = new FlowBuilder()
      .repeat(288, 300, T, (_, at) => ({
        client: HOST,
        clientPort: 123,
        server: '162.159.200.1',
        port: 123,
        protocol: 17,
        at,
      }))
      .session({ client: '203.0.113.50', server: HOST, port: 22, at: T, duration: 5 * HOUR, ...typing });
    expect(findingsOf(await scan(flows), 'longconn')).toHaveLength(0);
  });

  it('still finds the session without tcp-flags and action', async () => {
    const full = findingsOf(await scan(session(3 * HOUR)), 'longconn')[0];
    const bare = findingsOf(await scan(session(3 * HOUR), { fields: BARE_FIELDS }), 'longconn')[0];
    expect(bare).toMatchObject({ actor: HOST, target: REMOTE, severity: 'medium' });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
  });
});
