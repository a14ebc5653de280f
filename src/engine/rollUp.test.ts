import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FlowBuilder, findingsOf, scanBuilt } from '../../test/helpers/flowBuilder.js';
import probe from '../detectors/recon/probe.js';
import type { Finding } from '../finding.js';
import { renderFindingsCsv } from '../outputs/findingsCsv.js';
import { renderFindingsJson } from '../outputs/findingsJson.js';
import { renderFindingsNdjson } from '../outputs/findingsNdjson.js';
import { renderOcsf } from '../outputs/ocsf.js';
import type { ScanReport } from '../report.js';
import { ROLL_UP_MIN_SOURCES, rollUp } from './rollUp.js';

const T = 1_700_000_000;
const DB = '10.0.1.20';

/** The i-th internet address from 198.18.0.0/15, the benchmarking range. */
const internet = (i: number) => `198.${18 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;

type Pending = Omit<Finding, 'evidence'>;
const pending = (over: Partial<Pending>): Pending => ({
  id: 'x',
  detector: 'probe',
  title: 'Probe',
  severity: 'low',
  confidence: 0.8,
  actor: '198.18.0.1',
  target: DB,
  targetCount: 1,
  direction: 'inbound',
  attack: [],
  firstSeen: T,
  lastSeen: T + 60,
  count: 5,
  explanation: 'probed',
  subScores: {},
  metrics: {},
  limitations: [],
  ...over,
});

describe('rollUp', () => {
  it('keeps fewer sources than the threshold as they are, and never rolls up internal actors', () => {
    const few = Array.from({ length: ROLL_UP_MIN_SOURCES - 1 }, (_, i) => pending({ actor: internet(i) }));
    const internal = Array.from({ length: 50 }, (_, i) =>
      pending({ actor: `10.0.0.${i}`, direction: 'internal' }),
    );
    const all = [...few, ...internal];
    const { findings } = rollUp(
      all,
      all.map(() => ({ serverPorts: [6379] })),
      new Set(['probe']),
    );
    expect(findings).toHaveLength(all.length);
    expect(findings.some((f) => f.sources)).toBe(false);
  });

  it('groups by target and ports, takes the most severe member, and adds up counts and times', () => {
    const onRedis = Array.from({ length: 30 }, (_, i) =>
      pending({ actor: internet(i), count: 2, firstSeen: T + i, lastSeen: T + 100 + i }),
    );
    onRedis[17] = { ...(onRedis[17] as Pending), severity: 'medium', explanation: 'the strongest' };
    const onSsh = Array.from({ length: 25 }, (_, i) => pending({ actor: internet(100 + i) }));
    const all = [...onRedis, ...onSsh];
    const keys = [
      ...onRedis.map(() => ({ serverPorts: [6379] })),
      ...onSsh.map(() => ({ serverPorts: [22] })),
    ];
    const { findings, keys: kept } = rollUp(all, keys, new Set(['probe']));
    expect(findings).toHaveLength(2);
    const redis = findings.find((f) => f.sources?.length === 30) as Pending;
    expect(redis).toMatchObject({
      severity: 'medium',
      actor: internet(17),
      count: 60,
      firstSeen: T,
      lastSeen: T + 129,
    });
    expect(redis.explanation).toMatch(/^30 internet sources did this to 10\.0\.1\.20: 198\.18\.0\.17 \(2\)/);
    expect(redis.explanation).toContain('The strongest: the strongest');
    expect(kept[findings.indexOf(redis)]).toEqual({ serverPorts: [6379] });
  });

  it('gives a roll-up the same id in every run, whatever order its sources come in', () => {
    const members = Array.from({ length: 40 }, (_, i) => pending({ actor: internet(i) }));
    const keys = members.map(() => ({ serverPorts: [22] }));
    const a = rollUp(members, keys, new Set(['probe'])).findings[0];
    const b = rollUp([...members].reverse(), keys, new Set(['probe'])).findings[0];
    expect(a?.id).toBe(b?.id);
    expect(a?.sources?.map((s) => s.actor)).toEqual(b?.sources?.map((s) => s.actor));
  });
});

it('rolls 5,000 internet sources probing one service into one finding that lists all 5,000', async () => {
  const sources = 5000;
  let flows = new FlowBuilder().tcp({ client: '192.0.2.10', server: DB, port: 6379, at: T });
  for (let i = 0; i < sources; i++) {
    flows = flows.repeat(6, 60, T + i, (_, at) => ({
      client: internet(i),
      server: DB,
      port: 6379,
      at,
      outcome: 'refused',
    }));
  }
  const analysis = await scanBuilt(flows, { detectors: [probe] });
  const found = findingsOf(analysis, 'probe');
  expect(found).toHaveLength(1);
  const [rolled] = found;
  expect(rolled?.sources).toHaveLength(sources);
  expect(new Set(rolled?.sources?.map((s) => s.actor))).toEqual(
    new Set(Array.from({ length: sources }, (_, i) => internet(i))),
  );
  expect(rolled).toMatchObject({ target: DB, count: sources * 6, direction: 'inbound' });
  expect(rolled?.evidence.every((r) => r.srcAddr === rolled.actor && r.dstPort === 6379)).toBe(true);

  // every source is in each machine-readable output
  const report: ScanReport = {
    version: 'test',
    generatedAt: '2026-01-01T00:00:00Z',
    analysis,
    showSuppressed: false,
  };
  const all = Array.from({ length: sources }, (_, i) => internet(i)).sort();
  const json = JSON.parse([...renderFindingsJson(report)].join(''));
  expect(json.findings[0].sources.map((s: { actor: string }) => s.actor).sort()).toEqual(all);
  const ndjson = [...renderFindingsNdjson(report)]
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const rolledLine = ndjson.find((row) => row.sources);
  expect(rolledLine.sources.map((s: { actor: string }) => s.actor).sort()).toEqual(all);
  const rows = parse([...renderFindingsCsv(report)].join(''), { columns: true }) as Record<string, string>[];
  expect(rows[0]?.source_count).toBe(String(sources));
  expect(rows[0]?.sources?.split(' ').sort()).toEqual(all);
  const ocsf = JSON.parse([...renderOcsf(report)].join(''));
  const listed = ocsf[0].observables.filter((o: { name: string }) => o.name === 'unmapped.sources.actor');
  expect(listed.map((o: { value: string }) => o.value).sort()).toEqual(all);
}, 120_000);
