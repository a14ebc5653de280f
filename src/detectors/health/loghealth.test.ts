import { describe, expect, it } from 'vitest';
import {
  ALL_FIELDS,
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  queryBuilt,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import { DIRECTION_SQL } from '../../engine/connections.js';
import { duckdbDialect } from '../../store/dialect.js';
import loghealth, { coverage } from './loghealth.js';

/** 2023-11-14 00:00 UTC */
const T = 1_699_920_000;
const HOUR = 3600;
const detectors = [loghealth];

const SERVERS: Record<string, string> = {
  'eni-web': '10.0.1.10',
  'eni-db': '10.0.2.20',
  'eni-idle': '10.0.3.30',
};

/** Internet clients reaching the interface's host every `every` seconds in [from, to), logged on it. */
function steady(b: FlowBuilder, eni: string, from: number, to: number, every = 300) {
  return b.repeat(Math.floor((to - from) / every), every, from, (i, at) => ({
    client: `198.51.100.${(i % 200) + 1}`,
    server: SERVERS[eni] ?? '10.0.9.9',
    port: 443,
    at,
    serverInterface: eni,
  }));
}

/** One log-status record per 10-minute window in [from, to). */
function status(b: FlowBuilder, eni: string, kind: 'NODATA' | 'SKIPDATA', from: number, to: number) {
  for (let at = from; at < to; at += 600) b.health({ interface: eni, status: kind, at });
  return b;
}

const scan = async (b: FlowBuilder, fields?: readonly (typeof ALL_FIELDS)[number][]) =>
  findingsOf(await scanBuilt(b, { detectors, ...(fields ? { fields } : {}) }), 'loghealth');

describe('loghealth', () => {
  it('reports SKIPDATA per interface: low for three windows, medium from six', async () => {
    const flows = steady(new FlowBuilder(), 'eni-web', T, T + 12 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    status(flows, 'eni-web', 'SKIPDATA', T + 2 * HOUR, T + 2.5 * HOUR);
    status(flows, 'eni-db', 'SKIPDATA', T + 3 * HOUR, T + 4 * HOUR);
    const found = await scan(flows);
    expect(found.map((f) => [f.actor, f.severity, f.metrics.skipWindows])).toEqual([
      ['eni-db', 'medium', 6],
      ['eni-web', 'low', 3],
    ]);
    const web = found[1];
    expect(web).toMatchObject({ target: null, attack: ['T1562.008'], firstSeen: T + 2 * HOUR });
    expect(web?.explanation).toBe(
      'eni-web had flow records skipped by AWS (SKIPDATA) in 3 capture window(s) covering 30 minutes between 2023-11-14 02:00 UTC and 2023-11-14 02:30 UTC (medium from 6 windows).',
    );
    expect(web?.metrics.logStatus).toBe('present');
    // the proof: the interface's own SKIPDATA records, with file and line
    expect(web?.evidence.map((r) => [r.logStatus, r.interfaceId, r.start])).toEqual([
      ['SKIPDATA', 'eni-web', T + 2 * HOUR],
      ['SKIPDATA', 'eni-web', T + 2 * HOUR + 600],
      ['SKIPDATA', 'eni-web', T + 2 * HOUR + 1200],
    ]);
    expect(web?.evidence[0]?.line).toBeGreaterThan(1);
  });

  it('names a steady interface that falls silent for two hours while another logs on', async () => {
    const flows = steady(new FlowBuilder(), 'eni-web', T, T + 4 * HOUR);
    steady(flows, 'eni-web', T + 6 * HOUR, T + 12 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    const [finding, ...rest] = await scan(flows);
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: 'eni-web', severity: 'low', count: 12 });
    expect(finding?.metrics).toMatchObject({ silences: 1, longestSilenceSeconds: 2 * HOUR });
    expect(finding?.explanation).toContain(
      'fell silent for 2 hours from 2023-11-14 04:00 UTC to 2023-11-14 06:00 UTC while other interfaces logged in 12 of those windows',
    );
    // the proof: its last flow records before the silence, the newest first
    const starts = finding?.evidence.map((r) => r.start ?? 0) ?? [];
    expect(starts).toHaveLength(10);
    expect(starts.every((t) => t < T + 4 * HOUR)).toBe(true);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(starts[0]).toBeGreaterThan(T + 4 * HOUR - 600);
    expect(finding?.evidence.every((r) => r.interfaceId === 'eni-web' && r.logStatus === null)).toBe(true);
  });

  it('stays silent just under the threshold: a 50-minute lull of a steady interface', async () => {
    const flows = steady(new FlowBuilder(), 'eni-web', T, T + 4 * HOUR);
    steady(flows, 'eni-web', T + 4 * HOUR + 50 * 60, T + 12 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    expect(await scan(flows)).toHaveLength(0);
  });

  it('does not mistake an idle interface for a broken log: a record every two hours is no rhythm', async () => {
    const flows = steady(new FlowBuilder(), 'eni-idle', T, T + 12 * HOUR, 2 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    expect(await scan(flows)).toHaveLength(0);
  });

  it('takes NODATA in the silence as proof that logging went on', async () => {
    const flows = steady(new FlowBuilder(), 'eni-web', T, T + 4 * HOUR);
    status(flows, 'eni-web', 'NODATA', T + 4 * HOUR, T + 6 * HOUR);
    steady(flows, 'eni-web', T + 6 * HOUR, T + 12 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    expect(await scan(flows)).toHaveLength(0);
  });

  it('does not blame an interface for a hole in the whole capture (logs not downloaded for those hours)', async () => {
    const flows = new FlowBuilder();
    for (const eni of ['eni-web', 'eni-db']) {
      steady(flows, eni, T, T + 4 * HOUR);
      steady(flows, eni, T + 6 * HOUR, T + 12 * HOUR);
    }
    expect(await scan(flows)).toHaveLength(0);
  });

  it('rates info an interface that stops logging hours before the capture ends (terminated, or its log deleted)', async () => {
    const flows = steady(new FlowBuilder(), 'eni-web', T, T + 8 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    const [finding, ...rest] = await scan(flows);
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: 'eni-web', severity: 'info' });
    expect(finding?.explanation).toContain(
      'stopped logging at 2023-11-14 08:00 UTC, 4 hours before the capture',
    );
  });

  it('rates info an interface that wrote only NODATA, and not one flow record', async () => {
    const flows = steady(new FlowBuilder(), 'eni-db', T, T + 12 * HOUR);
    status(flows, 'eni-spare', 'NODATA', T, T + 12 * HOUR);
    const [finding, ...rest] = await scan(flows);
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: 'eni-spare', severity: 'info', count: 72 });
    expect(finding?.explanation).toContain('wrote only NODATA (no traffic) in 72 window(s) over 12 hours');
  });

  it('without log-status: no SKIPDATA finding, the empty records still count as logging, and it says so', async () => {
    const flows = steady(new FlowBuilder(), 'eni-web', T, T + 4 * HOUR);
    steady(flows, 'eni-web', T + 6 * HOUR, T + 12 * HOUR);
    steady(flows, 'eni-db', T, T + 12 * HOUR);
    status(flows, 'eni-db', 'SKIPDATA', T + 3 * HOUR, T + 4 * HOUR);
    status(flows, 'eni-spare', 'NODATA', T, T + 12 * HOUR);
    const found = await scan(
      flows,
      ALL_FIELDS.filter((f) => f !== 'log-status'),
    );
    expect(found.map((f) => [f.actor, f.severity])).toEqual([
      ['eni-web', 'low'],
      ['eni-spare', 'info'],
    ]);
    expect(found[0]?.metrics.logStatus).toBe('absent');
    expect(found[0]?.explanation).toContain(
      '(78 records without log-status in the store: lost records (SKIPDATA) cannot be told from idle windows there)',
    );
    expect(found[1]?.explanation).toContain(
      'only empty records (NODATA or SKIPDATA, the logs have no log-status to tell)',
    );
  });

  describe('coverage (proposed contract: say what the logs do not let it see)', () => {
    const judge = async (b: FlowBuilder, fields?: readonly (typeof ALL_FIELDS)[number][]) => {
      const sql = coverage.feature({}, { dialect: duckdbDialect, direction: DIRECTION_SQL });
      const [row] = await queryBuilt(b, sql, fields ? { fields } : {});
      return coverage.judge(row as Parameters<typeof coverage.judge>[0], {});
    };
    const flows = () => {
      const b = steady(new FlowBuilder(), 'eni-db', T, T + 2 * HOUR);
      return status(b, 'eni-db', 'SKIPDATA', T + HOUR, T + 2 * HOUR);
    };

    it('says nothing when the logs have log-status and interface ids', async () => {
      expect(await judge(flows())).toBeUndefined();
    });

    it('notes the records without log-status', async () => {
      expect(
        await judge(
          flows(),
          ALL_FIELDS.filter((f) => f !== 'log-status'),
        ),
      ).toEqual({
        note: '6 records have no log-status (NODATA and SKIPDATA read as empty records): lost records cannot be seen in those files, silences still can',
      });
    });

    it('does not run without interface ids', async () => {
      const fields = BARE_FIELDS.filter((f) => f !== 'interface-id');
      expect(await judge(flows(), fields)).toEqual({
        skipped: 'the logs have no interface-id, so coverage cannot be placed on interfaces',
      });
    });
  });
});
