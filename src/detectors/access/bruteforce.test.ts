import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  type Connection,
  FlowBuilder,
  findingsOf,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import probe from '../recon/probe.js';
import bruteforce from './bruteforce.js';

const T = 1_700_000_000;
const HOST = '10.0.1.10';
const ATTACKER = '203.0.113.50';
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors: [bruteforce], ...options });

/** One failed SSH login: key exchange and a few password prompts, a few KB, alike but not identical. */
const sshAttempt = (i: number, at: number, c: Partial<Connection> = {}): Connection => ({
  client: ATTACKER,
  server: HOST,
  port: 22,
  at,
  duration: 4,
  outPackets: 18,
  outBytes: 2600 + (i % 5) * 40,
  inPackets: 16,
  inBytes: 3400 + (i % 3) * 30,
  ...c,
});

describe('bruteforce', () => {
  it('names an internet host guessing SSH passwords on port 22, medium while nothing suggests success', async () => {
    const flows = new FlowBuilder().repeat(40, 3, T, (i, at) => sshAttempt(i, at));
    const [finding, ...rest] = findingsOf(await scan(flows), 'bruteforce');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: ATTACKER,
      target: HOST,
      direction: 'inbound',
      severity: 'medium',
      count: 40,
    });
    expect(finding?.metrics).toMatchObject({
      attempts: 40,
      peakAttempts: 40,
      answered: 40,
      port: 22,
      recognisedBy: 'port',
    });
    expect(finding?.explanation).toContain('40 short SSH (TCP 22) connections');
    expect(finding?.explanation).toContain('40 of them within 117 s (threshold 10 within 5 minutes)');
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: ATTACKER, dstAddr: HOST, dstPort: 22 });
  });

  it('rates it high when a session far larger and longer than the attempts follows the guessing', async () => {
    const flows = new FlowBuilder()
      .repeat(40, 3, T, (i, at) => sshAttempt(i, at))
      .tcp(
        sshAttempt(0, T + 200, {
          duration: 1800,
          outPackets: 900,
          outBytes: 60_000,
          inPackets: 1100,
          inBytes: 400_000,
        }),
      );
    const [finding] = findingsOf(await scan(flows), 'bruteforce');
    expect(finding?.severity).toBe('high');
    expect(finding?.metrics).toMatchObject({ successBytes: 460_000, successSeconds: 1800 });
    expect(finding?.metrics).toMatchObject({ successSizeFactor: 75.3, successLengthFactor: 450 });
    expect(finding?.explanation).toContain(
      'then an answered session of 460,000 bytes (75.3× the typical attempt) lasting 30 minutes (450× as long), past the threshold of 3×',
    );
  });

  it('recognises SSH guessing on port 2200 by the shape of its sessions', async () => {
    const flows = new FlowBuilder().repeat(30, 5, T, (i, at) => sshAttempt(i, at, { port: 2200 }));
    const [finding] = findingsOf(await scan(flows), 'bruteforce');
    expect(finding).toMatchObject({ actor: ATTACKER, target: HOST, severity: 'medium' });
    expect(finding?.metrics).toMatchObject({ port: 2200, recognisedBy: 'behaviour', attempts: 30 });
    expect(finding?.explanation).toContain('30 short SSH-like (TCP 2200) connections');
    expect(finding?.explanation).toContain('no login service is registered on that port');
    expect(finding?.confidence).toBeLessThan(0.8);
  });

  it('rates one of our hosts guessing RDP on another internal host high', async () => {
    const flows = new FlowBuilder().repeat(25, 4, T, (i, at) => ({
      client: '10.0.2.7',
      server: '10.0.3.3',
      port: 3389,
      at,
      outPackets: 14,
      outBytes: 4000 + (i % 4) * 50,
      inPackets: 12,
      inBytes: 9000,
      interfaces: ['eni-client', 'eni-server'],
    }));
    const [finding] = findingsOf(await scan(flows), 'bruteforce');
    expect(finding).toMatchObject({
      actor: '10.0.2.7',
      target: '10.0.3.3',
      direction: 'internal',
      severity: 'high',
      count: 25,
    });
    expect(finding?.explanation).toContain('RDP (TCP 3389)');
  });

  it('leaves internet telnet attempts that a security group blocked to the probe detector', async () => {
    const flows = new FlowBuilder().repeat(30, 10, T, (_, at) => ({
      client: '198.51.100.23',
      server: HOST,
      port: 23,
      at,
      outcome: 'rejected',
    }));
    const analysis = await scanBuilt(flows, { detectors: [bruteforce, probe] });
    expect(findingsOf(analysis, 'bruteforce')).toHaveLength(0);
    expect(findingsOf(analysis, 'probe')[0]).toMatchObject({ actor: '198.51.100.23', count: 30 });
  });

  it("reports our own host's blocked telnet attempts at low severity", async () => {
    const flows = new FlowBuilder().repeat(30, 10, T, (_, at) => ({
      client: '10.0.2.9',
      server: '198.51.100.23',
      port: 23,
      at,
      outcome: 'rejected',
    }));
    const [finding] = findingsOf(await scan(flows), 'bruteforce');
    expect(finding).toMatchObject({ actor: '10.0.2.9', severity: 'low', direction: 'outbound' });
    expect(finding?.metrics).toMatchObject({ attempts: 30, answered: 0, blocked: 30 });
    expect(finding?.explanation).toContain('all blocked by a security group');
  });

  it('rates our host retrying a refused database low: no login prompt was reached', async () => {
    const flows = new FlowBuilder().repeat(60, 5, T, (_, at) => ({
      client: '10.0.2.7',
      server: '10.0.4.4',
      port: 5432,
      at,
      outcome: 'refused',
    }));
    const [finding] = findingsOf(await scan(flows), 'bruteforce');
    expect(finding).toMatchObject({ actor: '10.0.2.7', direction: 'internal', severity: 'low' });
    expect(finding?.explanation).toContain('none got through (refused or unanswered)');
  });

  it('reports one finding per attacker and host, naming every guessed service', async () => {
    const flows = new FlowBuilder()
      .repeat(20, 3, T, (i, at) => sshAttempt(i, at))
      .repeat(12, 3, T, (i, at) => sshAttempt(i, at, { port: 3389, outBytes: 5000, inBytes: 9000 }));
    const found = findingsOf(await scan(flows), 'bruteforce');
    expect(found).toHaveLength(1);
    expect(found[0]?.count).toBe(32);
    expect(found[0]?.explanation).toContain('also guessing on RDP (TCP 3389)');
  });

  it('stays silent just under the threshold: 9 attempts in 5 minutes, or 10 spread over 6', async () => {
    const flows = new FlowBuilder()
      .repeat(9, 30, T, (i, at) => sshAttempt(i, at))
      .repeat(10, 40, T, (i, at) => sshAttempt(i, at, { client: '203.0.113.51' }));
    expect(findingsOf(await scan(flows), 'bruteforce')).toHaveLength(0);
  });

  it('does not mistake a busy web server, or one client calling its API 200 times, for guessing', async () => {
    const flows = new FlowBuilder()
      .repeat(2000, 0.5, T, (i, at) => ({ client: `198.51.100.${i % 250}`, server: HOST, port: 443, at }))
      .repeat(200, 1, T, (i, at) => sshAttempt(i, at, { client: '198.51.100.7', port: 443 }));
    expect(findingsOf(await scan(flows), 'bruteforce')).toHaveLength(0);
  });

  it('does not flag an admin opening three SSH sessions', async () => {
    const flows = new FlowBuilder().repeat(3, 20, T, (i, at) =>
      sshAttempt(i, at, { client: '10.0.9.1', duration: 900, outBytes: 40_000, inBytes: 200_000 }),
    );
    expect(findingsOf(await scan(flows), 'bruteforce')).toHaveLength(0);
  });

  it('does not flag an hourly backup job on a database, nor an SSH check every minute for a day', async () => {
    const flows = new FlowBuilder()
      .repeat(24, 3600, T, (_, at) => ({
        client: '10.0.5.5',
        server: '10.0.4.4',
        port: 5432,
        at,
        duration: 300,
        outBytes: 9000,
        inBytes: 5_000_000,
      }))
      .repeat(1440, 60, T, (i, at) =>
        sshAttempt(i, at, { client: '10.0.8.8', outPackets: 6, outBytes: 400, inPackets: 5, inBytes: 600 }),
      );
    expect(findingsOf(await scan(flows), 'bruteforce')).toHaveLength(0);
  });

  it('does not flag an app that opens a database connection per request (sizes vary with the queries)', async () => {
    const flows = new FlowBuilder().repeat(40, 6, T, (i, at) => ({
      client: '10.0.2.7',
      server: '10.0.4.4',
      port: 5432,
      at,
      outPackets: 8 + (i % 5),
      outBytes: 700 + ((i * 977) % 4000),
      inBytes: 900 + ((i * 1231) % 9000),
    }));
    expect(findingsOf(await scan(flows), 'bruteforce')).toHaveLength(0);
  });

  it('does not count load-balancer health checks (connect and close) as login attempts', async () => {
    const flows = new FlowBuilder().repeat(360, 10, T, (_, at) => ({
      client: '10.0.0.20',
      server: '10.0.1.30',
      port: 3306,
      at,
      outPackets: 3,
      outBytes: 156,
      inPackets: 2,
      inBytes: 112,
    }));
    expect(findingsOf(await scan(flows), 'bruteforce')).toHaveLength(0);
  });

  it('still finds the guessing without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder().repeat(30, 3, T, (i, at) => sshAttempt(i, at));
    const full = findingsOf(await scan(flows), 'bruteforce')[0];
    const fields = BARE_FIELDS;
    const bare = findingsOf(await scan(flows, { fields }), 'bruteforce')[0];
    expect(bare).toMatchObject({ actor: ATTACKER, target: HOST, severity: 'medium' });
    expect(bare?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action|action.*tcp_flags/s);
  });
});
