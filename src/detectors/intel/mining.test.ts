import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  scanBuilt,
  threatListsConfig,
} from '../../../test/helpers/flowBuilder.js';
import mining from './mining.js';

const T = 1_700_000_000;
const HOST = '10.0.1.5';
const POOL = '198.51.100.20';
const detectors = [mining];

describe('mining', () => {
  it('finds our host holding a two-hour session to a Stratum pool port, at high severity', async () => {
    const flows = new FlowBuilder().tcp({ client: HOST, server: POOL, port: 3333, at: T, duration: 7200 });
    const [finding, ...rest] = findingsOf(await scanBuilt(flows, { detectors }), 'mining');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: HOST,
      target: POOL,
      direction: 'outbound',
      severity: 'high',
      confidence: 0.7,
    });
    expect(finding?.explanation).toBe(
      `${HOST} connected to ${POOL} on Stratum pool port 3333: the longest answered session lasted 120 minutes and answered sessions spanned 120 minutes (thresholds 10 minutes, 30 minutes).`,
    );
    expect(finding?.metrics).toMatchObject({ port: 3333, longestSeconds: 7200 });
  });

  it('counts a miner that keeps reconnecting: short sessions spanning 40 minutes', async () => {
    const flows = new FlowBuilder().repeat(9, 300, T, (_, at) => ({
      client: HOST,
      server: POOL,
      port: 14444,
      at,
      duration: 60,
    }));
    const [finding] = findingsOf(await scanBuilt(flows, { detectors }), 'mining');
    expect(finding).toMatchObject({ actor: HOST, severity: 'high', count: 9 });
    expect(finding?.metrics.answeredSpanSeconds).toBe(2460);
  });

  it('names a pool on a mining threat list on any port, even for one short connection', async () => {
    const config = await threatListsConfig([{ name: 'pools', kind: 'mining', entries: ['198.51.100.0/28'] }]);
    const flows = new FlowBuilder()
      .tcp({ client: HOST, server: '198.51.100.9', port: 443, at: T, duration: 5 })
      .tcp({ client: '10.0.1.6', server: '198.51.100.10', port: 443, at: T, outcome: 'dropped' });
    const found = findingsOf(await scanBuilt(flows, { detectors, config }), 'mining');
    expect(found.map((f) => [f.actor, f.target, f.severity, f.confidence])).toEqual([
      [HOST, '198.51.100.9', 'high', 0.85],
      ['10.0.1.6', '198.51.100.10', 'medium', 0.85],
    ]);
    expect(found[0]?.explanation).toContain(
      'listed as a mining pool in "pools" (entry 198.51.100.0/28), on port 443',
    );
  });

  it('stays silent just under the thresholds: a 9-minute session, sessions spanning 29 minutes', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: HOST, server: POOL, port: 3333, at: T, duration: 540 })
      .tcp({ client: HOST, server: '198.51.100.21', port: 4444, at: T, duration: 60 })
      .tcp({ client: HOST, server: '198.51.100.21', port: 4444, at: T + 1680, duration: 60 });
    expect(findingsOf(await scanBuilt(flows, { detectors }), 'mining')).toHaveLength(0);
  });

  it('ignores look-alikes: our game server on 7777, an internal service on 3333, long HTTPS, dropped pool attempts', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: '198.51.100.77', server: HOST, port: 7777, at: T, duration: 7200 })
      .tcp({ client: HOST, server: '10.0.2.20', port: 3333, at: T, duration: 7200 })
      .tcp({ client: HOST, server: '203.0.113.80', port: 443, at: T, duration: 7200 })
      .repeat(10, 600, T, (_, at) => ({ client: HOST, server: POOL, port: 5555, at, outcome: 'dropped' }));
    expect(findingsOf(await scanBuilt(flows, { detectors }), 'mining')).toHaveLength(0);
  });

  it('still finds the long session without tcp-flags and action, with lower confidence and saying why', async () => {
    const flows = new FlowBuilder().tcp({ client: HOST, server: POOL, port: 14444, at: T, duration: 3600 });
    const [bare] = findingsOf(await scanBuilt(flows, { detectors, fields: BARE_FIELDS }), 'mining');
    expect(bare).toMatchObject({ actor: HOST, target: POOL, severity: 'high' });
    expect(bare?.confidence).toBeLessThan(0.7);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action/s);
  });
});

describe('mining without end times', () => {
  it('still names listed pools, though sessions have no length to judge a pool port by', async () => {
    const config = await threatListsConfig([{ name: 'pools', kind: 'mining', entries: ['198.51.100.9'] }]);
    const flows = new FlowBuilder()
      .tcp({ client: HOST, server: '198.51.100.9', port: 443, at: T, duration: 3600 })
      .tcp({ client: HOST, server: POOL, port: 3333, at: T, duration: 7200 });
    const fields = BARE_FIELDS.filter((f) => f !== 'end');
    const found = findingsOf(await scanBuilt(flows, { detectors, config, fields }), 'mining');
    expect(found.map((f) => f.target)).toEqual(['198.51.100.9']);
    expect(found[0]?.limitations.join(' ')).toContain('no end_time in the logs');
  });
});
