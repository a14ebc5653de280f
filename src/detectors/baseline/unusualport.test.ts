import { describe, expect, it } from 'vitest';
import {
  ALL_FIELDS,
  FlowBuilder,
  findingsOf,
  queryBuilt,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import { DIRECTION_SQL } from '../../engine/connections.js';
import { duckdbDialect } from '../../store/dialect.js';
import unusualport, { coverage } from './unusualport.js';

/** 2023-11-07 00:00 UTC: day 0 of the history */
const DAY0 = 1_699_315_200;
const DAY = 86_400;
const HOUR = 3600;
const WEB = '10.0.1.10';
const C2 = '203.0.113.66';
const CDN = '93.184.216.34';
const detectors = [unusualport];

/** `days` days of hourly HTTPS (or `port`) from `host` to `server`, logged on the host's interface. */
function habit(b: FlowBuilder, host: string, days: number, port = 443, server = CDN, from = DAY0) {
  return b.repeat(days * 24, HOUR, from, (_, at) => ({
    client: host,
    server,
    port,
    at,
    interfaces: [`eni-${host}`],
  }));
}

/** `times` connections from `host` to `server` on `port`, ten minutes apart, starting at `at`. */
function burst(b: FlowBuilder, host: string, server: string, port: number, at: number, times = 3) {
  return b.repeat(times, 600, at, (_, t) => ({
    client: host,
    server,
    port,
    at: t,
    interfaces: [`eni-${host}`],
  }));
}

const scan = async (b: FlowBuilder, config?: unknown) =>
  findingsOf(await scanBuilt(b, { detectors, ...(config ? { config } : {}) }), 'unusualport');

describe('unusualport', () => {
  it('names a web server that has used only 443 for eight days and today connects out on 4444', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    burst(flows, WEB, C2, 4444, DAY0 + 8 * DAY + 10 * HOUR);
    const [finding, ...rest] = await scan(flows);
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: WEB,
      target: C2,
      targetCount: 1,
      direction: 'outbound',
      severity: 'medium',
      count: 3,
      attack: ['T1571'],
    });
    expect(finding?.metrics).toMatchObject({
      newPorts: '4444/TCP',
      answered: 3,
      baselinePorts: 1,
      activeDays: 8,
    });
    expect(finding?.explanation).toContain('remote port 4444/TCP');
    expect(finding?.explanation).toContain('ports used before: 443/TCP');
    expect(finding?.explanation).toContain('not used in 8.0 days of history (8 active days');
    expect(finding?.explanation).toContain(
      'no host of ours had used 4444/TCP before, nor contacted that host.',
    );
    expect(finding?.evidence.length).toBe(3);
    expect(finding?.evidence.every((r) => r.dstPort === 4444 && r.dstAddr === C2)).toBe(true);
  });

  it('still fires without tcp-flags, telling the remote end by port ranges, with lower confidence', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    burst(flows, WEB, C2, 4444, DAY0 + 8 * DAY + 10 * HOUR);
    const fields = ALL_FIELDS.filter((f) => f !== 'tcp-flags');
    const [finding] = findingsOf(await scanBuilt(flows, { detectors, fields }), 'unusualport');
    expect(finding).toMatchObject({ actor: WEB, target: C2, confidence: 0.64 });
    expect(finding?.limitations.join(' ')).toContain('no tcp_flags in the logs');
  });

  it('rates a port other hosts of ours have long used low: a new SSH deployment target, not a strange port', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    habit(flows, '10.0.1.20', 9, 22, '198.51.100.7');
    burst(flows, WEB, '198.51.100.7', 22, DAY0 + 8 * DAY + 10 * HOUR);
    const [finding, ...rest] = await scan(flows);
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: WEB, target: '198.51.100.7', severity: 'low' });
    expect(finding?.explanation).toContain('1 other host(s) of ours used 22/TCP before');
  });

  it('stays silent for a host that keeps using the port it always used', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    burst(flows, WEB, '93.184.216.99', 443, DAY0 + 8 * DAY + 10 * HOUR, 20);
    expect(await scan(flows)).toHaveLength(0);
  });

  it('stays silent without a baseline: a host first seen today, one with 6 days of history, one seen on one day a week ago', async () => {
    const today = DAY0 + 8 * DAY;
    const flows = habit(new FlowBuilder(), WEB, 9);
    // first seen today
    habit(flows, '10.0.1.30', 1, 443, CDN, today);
    burst(flows, '10.0.1.30', C2, 4444, today + 10 * HOUR);
    // just under minBaselineDays: history from day 2 on (about 6 days before the recent period)
    habit(flows, '10.0.1.31', 7, 443, CDN, DAY0 + 2 * DAY);
    burst(flows, '10.0.1.31', '203.0.113.67', 4445, today + 10 * HOUR);
    // eight days of span but one active day
    habit(flows, '10.0.1.32', 1, 443, CDN, DAY0);
    burst(flows, '10.0.1.32', '203.0.113.68', 4446, today + 10 * HOUR);
    expect(await scan(flows)).toHaveLength(0);
  });

  it('fires on a short history when the user lowers minBaselineDays and minActiveDays', async () => {
    const flows = habit(new FlowBuilder(), WEB, 4, 443, CDN, DAY0 + 5 * DAY);
    burst(flows, WEB, C2, 4444, DAY0 + 8 * DAY + 10 * HOUR);
    expect(await scan(flows)).toHaveLength(0);
    const config = { detectors: { unusualport: { minBaselineDays: 2, minActiveDays: 2 } } };
    expect((await scan(flows, config)).map((f) => f.actor)).toEqual([WEB]);
  });

  it('leaves out well-known ports a host takes up for the first time (HTTP, NTP, DNS)', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    const today = DAY0 + 8 * DAY + 10 * HOUR;
    burst(flows, WEB, '198.51.100.80', 80, today);
    flows.udp({ client: WEB, server: '198.51.100.123', port: 123, at: today, interfaces: [`eni-${WEB}`] });
    flows.udp({ client: WEB, server: '198.51.100.53', port: 53, at: today, interfaces: [`eni-${WEB}`] });
    expect(await scan(flows)).toHaveLength(0);
  });

  it('does not count multicast announcements a host starts sending (SSDP, mDNS) as remote ports', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    const today = DAY0 + 8 * DAY + 10 * HOUR;
    for (const [group, port] of [
      ['239.255.255.250', 1900],
      ['224.0.0.251', 5353],
    ] as const) {
      flows.udp({
        client: WEB,
        server: group,
        port,
        clientPort: port,
        at: today,
        outcome: 'dropped',
        interfaces: [`eni-${WEB}`],
      });
    }
    expect(await scan(flows)).toHaveLength(0);
  });

  it('treats a new port taken up by three hosts at once as a fleet-wide change; two hosts still fire', async () => {
    const fleet = (hosts: string[]) => {
      const flows = new FlowBuilder();
      for (const host of hosts) {
        habit(flows, host, 9);
        burst(flows, host, '198.51.100.200', 8883, DAY0 + 8 * DAY + 10 * HOUR);
      }
      return flows;
    };
    expect(await scan(fleet(['10.0.1.41', '10.0.1.42', '10.0.1.43']))).toHaveLength(0);
    const two = await scan(fleet(['10.0.1.41', '10.0.1.42']));
    expect(two.map((f) => [f.actor, f.severity])).toEqual([
      ['10.0.1.41', 'medium'],
      ['10.0.1.42', 'medium'],
    ]);
  });

  it('does not count a new port that internet clients reach on our host: serving is not using a remote port', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    flows.repeat(5, 60, DAY0 + 8 * DAY + 10 * HOUR, (i, at) => ({
      client: `198.51.100.${i + 1}`,
      server: WEB,
      port: 4444,
      at,
      serverInterface: `eni-${WEB}`,
      interfaces: [`eni-${WEB}`],
    }));
    expect(await scan(flows)).toHaveLength(0);
  });

  it('rates low with less confidence a blocked attempt on a new port to a destination other hosts know', async () => {
    const flows = habit(new FlowBuilder(), WEB, 9);
    habit(flows, '10.0.1.20', 9, 443, '198.51.100.9');
    flows.repeat(2, 600, DAY0 + 8 * DAY + 10 * HOUR, (_, at) => ({
      client: WEB,
      server: '198.51.100.9',
      port: 9999,
      at,
      outcome: 'rejected',
      interfaces: [`eni-${WEB}`],
    }));
    const [finding] = await scan(flows);
    expect(finding).toMatchObject({ actor: WEB, severity: 'low', count: 2, confidence: 0.6 });
    expect(finding?.explanation).toContain('but they had contacted the destination');
  });

  describe('coverage (proposed contract: tell the user when there is no baseline)', () => {
    const p = { recent: DAY, minBaselineDays: 7, minActiveDays: 5 };
    const judge = async (b: FlowBuilder) => {
      const [row] = await queryBuilt(
        b,
        coverage.feature(p, { dialect: duckdbDialect, direction: DIRECTION_SQL }),
      );
      return coverage.judge(row as Parameters<typeof coverage.judge>[0], p);
    };

    it('says it did not run on a store with one day of flows', async () => {
      const flows = habit(new FlowBuilder(), WEB, 1);
      burst(flows, WEB, C2, 4444, DAY0 + 10 * HOUR);
      expect(await judge(flows)).toEqual({
        skipped:
          'the store holds 0.0 days of flows before the last 24 hours and a baseline needs 7: keep a workspace (--workspace FILE) and scan it daily',
      });
    });

    it('notes the hosts it could not judge, and says nothing when every host has a baseline', async () => {
      const flows = habit(new FlowBuilder(), WEB, 9);
      expect(await judge(flows)).toBeUndefined();
      habit(flows, '10.0.1.30', 1, 443, CDN, DAY0 + 8 * DAY);
      expect(await judge(flows)).toEqual({
        note: '1 of 2 hosts active in the last 24 hours have a baseline (7 days, 5 of them active); the others were not judged',
      });
    });
  });
});
