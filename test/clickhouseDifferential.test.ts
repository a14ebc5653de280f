import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../eval/captures/scenarios.js';
import { DATASETS } from '../eval/datasets.js';
import type { Analysis } from '../src/report.js';
import type { ClickhouseStore } from '../src/store/clickhouse/clickhouseStore.js';
import { SCENARIOS } from './helpers/detectorScenarios.js';
import { bothEngines, compared, openChdb, withFile } from './helpers/differential.js';
import { MODE_SCENARIOS } from './helpers/modeScenarios.js';

/**
 * #14's differential suite: the same flows analysed on DuckDB and on ClickHouse (chdb, the current
 * ClickHouse engine embedded in this process) give the same findings — detector, actor, target,
 * severity, count and evidence lines — for a scenario per detector and its modes, the examples, the
 * labelled eval captures and the real-traffic scenarios. The scoring being shared, equal findings mean every feature query, the connection
 * reconstruction and the evidence lookup computed the same on both engines.
 */

let clickhouse: ClickhouseStore;
beforeAll(async () => {
  clickhouse = await openChdb();
});
afterAll(async () => {
  await clickhouse?.close();
});

function expectSame(result: { duckdb: Analysis; clickhouse: Analysis }): void {
  expect(result.clickhouse.connections, 'connections reconstructed').toBe(result.duckdb.connections);
  expect(compared(result.clickhouse.findings)).toEqual(compared(result.duckdb.findings));
  // the scoring read the same feature values too: its words and numbers agree
  const detail = (a: Analysis) => a.findings.map((f) => [f.id, f.explanation, f.confidence, f.metrics]);
  expect(detail(result.clickhouse)).toEqual(detail(result.duckdb));
}

describe('ClickHouse finds what DuckDB finds: a scenario per detector, and its modes', () => {
  for (const s of [...SCENARIOS, ...MODE_SCENARIOS]) {
    it(`${s.detector}: ${s.description}`, async () => {
      const config = s.config ? await s.config() : {};
      const result = await withFile(s.records.text(), (path) => bothEngines(clickhouse, [path], config));
      // the scenario's own detector fired, so the comparison is not between two empty lists
      expect(result.duckdb.findings.map((f) => f.detector)).toContain(s.detector);
      expectSame(result);
    });
  }
});

describe('ClickHouse finds what DuckDB finds: the examples', () => {
  it('examples/AWSLogs (every file)', async () => {
    const result = await bothEngines(clickhouse, ['examples/AWSLogs']);
    expect(result.duckdb.findings.length).toBeGreaterThan(0);
    expectSame(result);
  });
});

describe('ClickHouse finds what DuckDB finds: the eval captures', () => {
  for (const dataset of DATASETS) {
    // the captures live in ../shared/data/eval, beside the repository, as for `npm run eval`
    it.skipIf(!existsSync(dataset.file))(dataset.name, async () => {
      const result = await bothEngines(
        clickhouse,
        [dataset.file],
        { internalNetworks: dataset.internalNetworks },
        dataset.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: dataset.utcOffsetMinutes },
      );
      expect(result.duckdb.findings.length).toBeGreaterThan(0);
      expectSame(result);
    });
  }
});

describe('ClickHouse finds what DuckDB finds: the real-traffic scenarios', () => {
  // in the repository (eval/captures), so these run from a plain clone
  for (const scenario of loadScenarios()) {
    it(scenario.name, async () => {
      const result = await bothEngines(clickhouse, [scenario.file], {
        internalNetworks: scenario.internalNetworks,
      });
      expectSame(result);
    });
  }
});
