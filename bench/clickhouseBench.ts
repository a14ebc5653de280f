/**
 * `node --import tsx bench/clickhouseBench.ts [records]`: the same corpus analysed on DuckDB and on
 * ClickHouse (chdb, the engine embedded in this process): DuckDB's ingest, the load into ClickHouse
 * (Parquet per file), and each engine's analysis, with whether their findings agree. Default 1 M
 * records of the realistic corpus (bench/out/corpus, generated once).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/config.js';
import { DETECTORS } from '../src/detectors/index.js';
import { analyse } from '../src/engine/analyse.js';
import { loadIntoClickhouse } from '../src/ingest/clickhouseLoad.js';
import { ingest } from '../src/ingest/ingest.js';
import { ClickhouseStore } from '../src/store/clickhouse/clickhouseStore.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { ensureCorpus } from './benchCorpus.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const records = Number(process.argv[2] ?? 1_000_000);
const corpus = await ensureCorpus(ROOT, 'realistic', records, 1);
const dir = await mkdtemp(join(tmpdir(), 'flowhawk-chbench-'));
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
const config = resolveConfig(DETECTORS, {}, 'bench');
const duck = await DuckdbStore.open({ scratchFile: true, tempDir: dir });
const clickhouse = await ClickhouseStore.open(`chdb://${join(dir, 'chdb')}`);
try {
  let t0 = performance.now();
  await ingest(duck, [join(ROOT, corpus.rel)]);
  console.log(`duckdb ingest: ${seconds(t0)} s`);
  t0 = performance.now();
  const loaded = await loadIntoClickhouse(duck, clickhouse);
  const loadS = (performance.now() - t0) / 1000;
  console.log(
    `clickhouse load: ${loaded.flows} flows in ${loadS.toFixed(1)} s (${Math.round(loaded.flows / loadS).toLocaleString('en-US')} records/s), ${loaded.sent} files`,
  );
  t0 = performance.now();
  const onDuck = await analyse(duck, config, DETECTORS);
  console.log(
    `duckdb analysis: ${seconds(t0)} s, ${onDuck.connections} connections, ${onDuck.findings.length} findings`,
  );
  t0 = performance.now();
  const onCh = await analyse(clickhouse, config, DETECTORS);
  console.log(
    `clickhouse analysis: ${seconds(t0)} s, ${onCh.connections} connections, ${onCh.findings.length} findings`,
  );
  console.log(`stages duckdb ${JSON.stringify(onDuck.stages)} clickhouse ${JSON.stringify(onCh.stages)}`);
  const key = (a: typeof onDuck) =>
    JSON.stringify(
      a.findings
        .map((f) => [
          f.detector,
          f.actor,
          f.target,
          f.severity,
          f.count,
          f.evidence.map((e) => `${e.file}:${e.line}`),
        ])
        .sort(),
    );
  console.log(`findings equal: ${key(onDuck) === key(onCh)}`);
} finally {
  duck.close();
  await clickhouse.close();
  await rm(dir, { recursive: true, force: true });
}
