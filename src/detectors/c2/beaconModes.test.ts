import { describe, expect, it } from 'vitest';
import { type Connection, FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';
import beacon from './beacon.js';

/**
 * The beacon card's rules beyond the persistent beacon (beacon.test.ts): short strongly regular
 * beacons, inbound check-ins, and timed retries of a dead server. See detectors/beaconRating.ts.
 */

const T = 1_700_000_000;
const HOUR = 3600;
const BOT = '10.0.1.60';
const C2 = '203.0.113.99';
const SERVER = '10.0.1.53';
const CALLER = '198.51.100.110';
const scan = (flows: FlowBuilder) => scanBuilt(flows, { detectors: [beacon] });

/** `calls` identical check-ins every `every` s (± `jitter` share, a fixed pseudo-random spread) */
function calls(
  flows: FlowBuilder,
  n: number,
  every: number,
  c: Partial<Connection> & { jitter?: number } = {},
): FlowBuilder {
  const { jitter = 0, ...rest } = c;
  let at = T;
  for (let i = 0; i < n; i++) {
    flows.tcp({
      client: BOT,
      server: C2,
      port: 4444,
      at: Math.round(at),
      outPackets: 6,
      outBytes: 403,
      inPackets: 6,
      inBytes: 536,
      ...rest,
    });
    at += every * (1 - jitter + 2 * jitter * ((i * 0.618_034) % 1));
  }
  return flows;
}

/** one call by another host 8 hours on: the capture is a working day long */
const workingDay = (flows: FlowBuilder) =>
  flows.tcp({ client: '10.0.2.9', server: '192.0.2.9', port: 443, at: T + 8 * HOUR });

describe('beacon: short, strongly regular beacons', () => {
  it('names a bot calling every 10 s for 40 minutes of an 8-hour capture, medium', async () => {
    const [finding, ...rest] = findingsOf(
      await scan(workingDay(calls(new FlowBuilder(), 240, 10))),
      'beacon',
    );
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: BOT, target: C2, direction: 'outbound', severity: 'medium' });
    // over the capture it is not persistent: the score alone would keep it out
    expect(Number(finding?.metrics.score)).toBeLessThan(0.7);
    expect(finding?.metrics).toMatchObject({
      rule: 'short',
      way: 'outbound',
      checkIns: 240,
      spanCoverage: 1,
    });
    expect(Number(finding?.metrics.regularity)).toBeGreaterThan(0.95);
    expect(finding?.explanation).toContain(
      'beacon score 0.54 (medium from 0.7, high from 0.8); a small part of the capture but strongly regular (regularity 1 over its own 40 minutes, strong from 0.9): medium, with 100 check-ins.',
    );
  });

  it('rates it low under 100 check-ins, and silent under 20', async () => {
    const low = findingsOf(await scan(workingDay(calls(new FlowBuilder(), 60, 10))), 'beacon');
    expect(low.map((f) => [f.severity, f.metrics.rule])).toEqual([['low', 'short']]);
    expect(low[0]?.explanation).toContain(
      'called for under 30 minutes but strongly regular (regularity 1 over its own 10 minutes, strong from 0.9): low, with fewer than 100 check-ins',
    );
    expect(findingsOf(await scan(workingDay(calls(new FlowBuilder(), 20, 10))), 'beacon')).toHaveLength(1);
    expect(findingsOf(await scan(workingDay(calls(new FlowBuilder(), 19, 10))), 'beacon')).toHaveLength(0);
  });

  it('stays silent for a beacon lost in the capture just under strongRegularity: 60 s ± 30%', async () => {
    // 100 minutes of an 8-hour capture: beacon score 0.6, regularity 0.89
    const flows = workingDay(calls(new FlowBuilder(), 100, 60, { jitter: 0.3 }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
    // ±20% is still a near-perfect timer (regularity 0.93)
    const tight = workingDay(calls(new FlowBuilder(), 100, 60, { jitter: 0.2 }));
    expect(findingsOf(await scan(tight), 'beacon').map((f) => f.severity)).toEqual(['medium']);
  });

  it("rates a fleet's agent low: 25 hosts calling one server on its own port every 10 s", async () => {
    const flows = new FlowBuilder();
    for (let h = 1; h <= 25; h++) calls(flows, 240, 10, { client: `10.0.3.${h}` });
    const found = findingsOf(await scan(workingDay(flows)), 'beacon');
    expect(found).toHaveLength(25);
    expect(new Set(found.map((f) => f.severity))).toEqual(new Set(['low']));
    expect(found[0]?.explanation).toContain(
      "short, and the server is not rare (called by 25 of 26 internal hosts): a fleet's agent, low",
    );
  });

  it('rates a page polled every 2 s for 15 minutes on port 80 low: a browser tab, not an implant', async () => {
    const flows = workingDay(calls(new FlowBuilder(), 450, 2, { port: 80 }));
    const found = findingsOf(await scan(flows), 'beacon');
    expect(found.map((f) => [f.severity, f.metrics.rule])).toEqual([['low', 'short']]);
    expect(found[0]?.explanation).toContain('short and on a web port, where a browser tab polls its page');
  });

  it('ignores a chatty DNS client and an NTP poller: perfect timers on infrastructure ports', async () => {
    const flows = workingDay(
      new FlowBuilder()
        // a lookup every 2 s for 20 minutes, each from a fresh port, alike answers
        .repeat(600, 2, T, (_, at) => ({ client: BOT, server: '8.8.8.8', port: 53, protocol: 17, at }))
        .repeat(60, 64, T, (_, at) => ({
          client: BOT,
          server: '162.159.200.1',
          port: 123,
          protocol: 17,
          at,
        })),
    );
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });

  it('ignores an hourly backup job whose uploads vary, and browsing', async () => {
    const flows = new FlowBuilder()
      .repeat(24, HOUR, T, (i, at) => ({
        client: BOT,
        server: '192.0.2.80',
        port: 22,
        at,
        duration: 300,
        outPackets: 3000 + i * 50,
        outBytes: [4_000_000, 52_000_000, 900_000, 17_000_000, 260_000][i % 5] ?? 0,
      }))
      // pages fetched when a person clicks: irregular times and sizes, over a few servers
      .repeat(90, 1, T, (i) => ({
        client: BOT,
        server: `192.0.2.${100 + (i % 3)}`,
        port: 443,
        at: T + ((i * i * 7919) % 20_000),
        inBytes: 2000 + ((i * 104_729) % 300_000),
      }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });
});

describe('beacon: inbound check-ins', () => {
  const checkIn = (i: number, at: number): Connection => ({
    client: CALLER,
    server: SERVER,
    port: 8001,
    at,
    outBytes: 398 + (i % 2) * 8,
    inBytes: 536,
  });

  it('names an internet host checking in every minute for four hours to your host, high, saying inbound', async () => {
    const [finding, ...rest] = findingsOf(
      await scan(new FlowBuilder().repeat(240, 60, T, checkIn)),
      'beacon',
    );
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: CALLER, target: SERVER, direction: 'inbound', severity: 'high' });
    expect(finding?.metrics).toMatchObject({ way: 'inbound', rule: 'persistent', checkIns: 240 });
    expect(finding?.explanation).toMatch(
      /^198\.51\.100\.110 checked in to your host 10\.0\.1\.53 \(inbound, TCP 8001\) 240 times over 4 hours, every 60 s/,
    );
  });

  it('rates a short check-in on a web port low, and stays silent under 20 check-ins', async () => {
    const short = (n: number) =>
      new FlowBuilder().repeat(n, 5, T, (i, at) => ({ ...checkIn(i, at), port: 80 }));
    const found = findingsOf(await scan(short(60)), 'beacon');
    expect(found.map((f) => [f.actor, f.direction, f.severity])).toEqual([[CALLER, 'inbound', 'low']]);
    expect(findingsOf(await scan(short(19)), 'beacon')).toHaveLength(0);
  });

  it('leaves a short regular series to a login service to bruteforce, and still names a persistent one', async () => {
    // hydra's fixed task rate: an SSH session every 5 s for 10 minutes, each answered
    const guessing = (n: number, every: number) =>
      new FlowBuilder().repeat(n, every, T, (i, at) => ({ ...checkIn(i, at), port: 22 }));
    expect(findingsOf(await scan(workingDay(guessing(120, 5))), 'beacon')).toEqual([]);
    // the same calls every minute for four hours are a check-in kept up, whatever the port
    const kept = findingsOf(await scan(guessing(240, 60)), 'beacon');
    expect(kept.map((f) => [f.actor, f.direction, f.metrics.rule])).toEqual([
      [CALLER, 'inbound', 'persistent'],
    ]);
    // off the login services the short series is still a (low) check-in
    const other = new FlowBuilder().repeat(120, 5, T, (i, at) => ({ ...checkIn(i, at), port: 4444 }));
    expect(findingsOf(await scan(workingDay(other)), 'beacon').map((f) => f.severity)).toEqual(['low']);
  });

  it('stays quiet for health checks: a load balancer inside the VPC, Route 53 checkers, an uptime monitor', async () => {
    const flows = new FlowBuilder()
      // an ALB's node in a public subnet checking /health on two targets every 10 s for a day
      .repeat(8640, 10, T, (_, at) => ({ client: '10.0.0.70', server: '10.0.1.71', port: 80, at }))
      .repeat(8640, 10, T + 3, (_, at) => ({ client: '10.0.0.70', server: '10.0.1.72', port: 80, at }))
      // Route 53 health checkers, from AWS's ROUTE53_HEALTHCHECKS range
      .repeat(480, 30, T, (_, at) => ({ client: '54.243.31.192', server: SERVER, port: 443, at }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
    // a third-party monitor calling your web service every minute all day: low, never more
    const monitor = new FlowBuilder().repeat(1440, 60, T, (_, at) => ({
      client: '203.0.113.200',
      server: SERVER,
      port: 443,
      at,
    }));
    const found = findingsOf(await scan(monitor), 'beacon');
    expect(found.map((f) => f.severity)).toEqual(['low']);
    expect(found[0]?.explanation).toContain('on a web port of your host, which uptime monitors');
  });

  it('does not make a check-in of unanswered inbound attempts (a scanner or a brute-forcer)', async () => {
    const flows = new FlowBuilder().repeat(240, 60, T, (i, at) => ({
      ...checkIn(i, at),
      outcome: 'refused',
    }));
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });
});

describe('beacon: timed retries of a dead server', () => {
  const retries = (n: number, every: number, outcome: Connection['outcome'] = 'refused') =>
    new FlowBuilder().repeat(n, every, T, (_, at) => ({ client: BOT, server: C2, port: 443, at, outcome }));

  it('names a host whose C2 refuses every call, 60 times 5 s apart, low', async () => {
    const [finding, ...rest] = findingsOf(await scan(retries(60, 5)), 'beacon');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: BOT, target: C2, severity: 'low', confidence: 0.6 });
    expect(finding?.metrics).toMatchObject({ rule: 'retries', answered: 0, scoredOn: 'attempts' });
    expect(finding?.explanation).toContain('failed calls on a timer');
    // unanswered (dropped) calls and calls a security group or network ACL rejects are retries too
    for (const outcome of ['dropped', 'rejected'] as const) {
      const found = findingsOf(await scan(retries(40, 15, outcome)), 'beacon');
      expect(found.map((f) => [f.severity, f.metrics.rule])).toEqual([['low', 'retries']]);
    }
  });

  it('stays silent just under: 29 attempts, or 30 within 2 minutes', async () => {
    expect(findingsOf(await scan(retries(29, 5)), 'beacon')).toHaveLength(0);
    expect(findingsOf(await scan(retries(30, 4)), 'beacon')).toHaveLength(0);
    expect(findingsOf(await scan(retries(30, 5)), 'beacon')).toHaveLength(1);
  });

  it('ignores an app retrying a service that is down with backoff and jitter', async () => {
    // capped exponential backoff with full jitter (the AWS SDKs' default): irregular by design
    const flows = new FlowBuilder();
    let at = T;
    for (let i = 0; i < 60; i++) {
      flows.tcp({ client: BOT, server: C2, port: 443, at: Math.round(at), outcome: 'refused' });
      at += 1 + Math.min(60, 2 ** i) * ((i * 0.618_034) % 1);
    }
    expect(findingsOf(await scan(flows), 'beacon')).toHaveLength(0);
  });
});
