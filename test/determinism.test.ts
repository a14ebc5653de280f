import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/config.js';
import { DETECTORS } from '../src/detectors/index.js';
import { analyse } from '../src/engine/analyse.js';
import type { Finding } from '../src/finding.js';
import { ingest } from '../src/ingest/ingest.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * The same flows give byte-identical findings whatever DuckDB's thread count. DuckDB scans a table
 * in parallel by row group (122,880 rows), so a table smaller than that is read by one thread in one
 * order; the capture below is larger, and built so that nearly everything that decides happens in
 * the same second: a sweep, a scan, a ping sweep, login attempts, check-ins, each with outcomes that
 * differ among contacts that tie on time. Any ordering without a total tie-break (a TRW fed first
 * contacts by time alone, a list cut after N entries, the strongest of several windows) then
 * depends on which thread finished first.
 */

const T = 1_700_000_000;
const THREADS = [1, 2, 4];

function tiedCapture(): FlowBuilder {
  const b = new FlowBuilder();
  // background to pass two row groups: internal clients on an internal web service, spread in time
  for (let i = 0; i < 70_000; i++) {
    b.tcp({
      client: `10.9.${(i >> 8) & 255}.${i & 255}`,
      server: '10.0.0.80',
      port: 443,
      at: T + (i % 3600),
    });
  }
  // a sweep of port 445: every contact in one second, one in three answered
  for (let i = 0; i < 120; i++) {
    b.tcp({
      client: '10.0.0.5',
      server: `10.1.0.${i + 1}`,
      port: 445,
      at: T + 10,
      outcome: i % 3 === 0 ? 'open' : 'dropped',
    });
  }
  // an internet scanner on one host's ports, all in one second, one in four answered
  for (let port = 1; port <= 60; port++) {
    b.tcp({
      client: '198.51.100.7',
      server: '10.0.0.20',
      port,
      at: T + 20,
      outcome: port % 4 === 0 ? 'open' : 'rejected',
    });
  }
  // a ping sweep, every echo in one second, a third answered
  for (let i = 0; i < 60; i++) {
    b.icmp({
      client: '10.0.0.6',
      server: `10.2.0.${i + 1}`,
      at: T + 30,
      outcome: i % 3 === 0 ? 'open' : 'dropped',
    });
  }
  // SSH attempts in bursts that tie on time, sizes differing within a burst
  for (let i = 0; i < 40; i++) {
    b.tcp({
      client: '203.0.113.9',
      server: '10.0.0.22',
      port: 22,
      at: T + 100 + Math.floor(i / 4) * 30,
      outBytes: 2000 + (i % 4) * 100,
      inBytes: 3000 + (i % 4) * 50,
      outPackets: 12,
      inPackets: 10,
    });
  }
  // check-ins two at a time, one failing, to an internet server
  for (let i = 0; i < 60; i++) {
    for (const outcome of ['open', 'dropped'] as const) {
      b.tcp({ client: '10.0.0.7', server: '192.0.2.50', port: 8443, at: T + i * 60, outcome });
    }
  }
  // an HTTP GET flood: 12 internet sources, 300 complete connections each, all in one second, so
  // the busiest source and the order of the sources listed are decided by ties
  for (let source = 1; source <= 12; source++) {
    for (let i = 0; i < 300; i++) {
      b.tcp({ client: `203.0.113.${100 + source}`, server: '10.0.0.81', port: 80, at: T + 200 });
    }
  }
  return b;
}

async function findingsJson(file: string, threads: number): Promise<string> {
  const store = await DuckdbStore.open({ threads });
  try {
    await ingest(store, [file]);
    const analysis = await analyse(store, resolveConfig(DETECTORS, {}, 'test'), DETECTORS);
    return JSON.stringify({ findings: analysis.findings, leaders: analysis.leaders }, null, 1);
  } finally {
    store.close();
  }
}

describe('deterministic analysis', () => {
  it('gives byte-identical findings (evidence included) and traffic leaders with 1, 2 and 4 DuckDB threads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flowhawk-determinism-'));
    const file = join(dir, 'flows.log');
    const built = tiedCapture();
    expect(built.size, 'more records than one DuckDB row group').toBeGreaterThan(122_880);
    await writeFile(file, built.text());
    const runs: string[] = [];
    for (const threads of THREADS) runs.push(await findingsJson(file, threads));
    const fired = new Set((JSON.parse(runs[0] as string).findings as Finding[]).map((f) => f.detector));
    // the decisions the ties are built to reach: the walks, the attempt lists, the check-ins, the flood's sources
    for (const detector of ['portsweep', 'portscan', 'pingsweep', 'bruteforce', 'beacon', 'flood']) {
      expect(fired, `${detector} fires on the tied capture`).toContain(detector);
    }
    for (let i = 1; i < runs.length; i++) expect(runs[i], `${THREADS[i]} threads`).toBe(runs[0]);
  });
});
