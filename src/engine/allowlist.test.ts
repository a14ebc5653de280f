import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { Allowlist, type Suppressible } from './allowlist.js';

const allowlist = (entries: unknown[]) =>
  new Allowlist(resolveConfig(DETECTORS, { allowlist: entries }, 'test').allowlist);

const finding = (over: Partial<Suppressible>): Suppressible => ({
  detector: 'portscan',
  actor: '203.0.113.9',
  target: '10.0.1.10',
  direction: 'inbound',
  evidence: { client: '203.0.113.9', server: '10.0.1.10', serverPorts: [22] },
  ...over,
});

describe('allowlist', () => {
  it('matches an interface named by a coverage finding, and only that one', () => {
    const list = allowlist([{ interface: ['eni-0abc'], detector: 'loghealth', reason: 'stopped nightly' }]);
    const health = (actor: string) =>
      finding({ detector: 'loghealth', actor, target: null, direction: 'internal', evidence: {} });
    expect(list.match(health('eni-0abc'))).toEqual({ reason: 'stopped nightly', rule: 0 });
    expect(list.match(health('eni-0def'))).toBeUndefined();
    expect(list.match(finding({ actor: 'eni-0abc', detector: 'portscan' }))).toBeUndefined();
  });

  it('needs every condition of an entry: cidr with role, port, direction, detector', () => {
    const list = allowlist([
      {
        cidr: ['203.0.113.0/24'],
        role: 'actor',
        port: [22],
        direction: 'inbound',
        detector: ['portscan'],
        reason: 'pen test',
      },
    ]);
    expect(list.match(finding({}))?.reason).toBe('pen test');
    expect(list.match(finding({ actor: '198.51.100.1' }))).toBeUndefined();
    expect(list.match(finding({ evidence: { serverPorts: [23] } }))).toBeUndefined();
    expect(list.match(finding({ direction: 'internal' }))).toBeUndefined();
    expect(list.match(finding({ detector: 'probe' }))).toBeUndefined();
    // the role: the scanner's range as a target does not match
    expect(list.match(finding({ actor: '10.0.1.10', target: '203.0.113.9' }))).toBeUndefined();
  });

  it('refuses an interface that is no interface id, and an entry that would match everything', () => {
    expect(() => allowlist([{ interface: ['10.0.0.1'], reason: 'x' }])).toThrow(/not a network interface id/);
    expect(() => allowlist([{ reason: 'everything' }])).toThrow(/matches every finding/);
  });

  it('allows a many-sender finding by its actors only when every source is allowed', () => {
    const list = allowlist([{ cidr: ['203.0.113.0/24'], role: 'actor', reason: 'our load generators' }]);
    const flood = (sources: string[]) =>
      finding({
        detector: 'flood',
        actor: sources[0] as string,
        sources: sources.map((actor) => ({ actor })),
        evidence: { server: '10.0.1.10' },
      });
    expect(list.match(flood(['203.0.113.5', '203.0.113.6']))).toEqual({
      reason: 'our load generators',
      rule: 0,
    });
    // the busiest source is allowed, one other is not: the flood is not all ours
    expect(list.match(flood(['203.0.113.5', '198.51.100.1']))).toBeUndefined();
  });
});
