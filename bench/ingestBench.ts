/**
 * The benchmark (`npm run bench`): for each corpus size and variant, in one run, the time plain `zcat`
 * needs to decompress the corpus, then `flowhawk ingest` into a workspace file and `flowhawk scan` in
 * memory over the same files (wall, CPU, peak RSS, the scan's per-stage times), compared with issue
 * #12's targets.
 *
 *   node --import tsx bench/ingestBench.ts [--records N[,N...]] [--variant realistic|worst-case|both]
 *     [--seed S] [--memory-limit SIZE] [--no-scan] [--keep]
 *
 * Corpora (bench/out/corpus/<variant>-<size>, see benchCorpus.ts) are generated once and reused while
 * their manifests match. The last line of output is one JSON object with every figure. Exits 1 when a
 * command fails or its counts disagree with the corpus, 2 on a bad command line.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Corpus, ensureCorpus } from './benchCorpus.js';
import { type BenchOptions, parseBenchArgs } from './benchOptions.js';
import { machineFacts } from './benchProcs.js';
import { type RunResult, runCorpus } from './benchRun.js';
import { runsTable, targetsTable } from './benchTable.js';
import { evaluateTargets, type RunFigures } from './benchTargets.js';
import type { IngestReport } from './childOutput.js';
import { GENERATOR_VERSION } from './generateCorpus.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const round = (n: number | null | undefined, digits = 3): number | null =>
  n == null || !Number.isFinite(n) ? null : Number(n.toFixed(digits));
const ratio = (a: number | null | undefined, b: number): number | null =>
  a == null || b <= 0 ? null : round(a / b, 2);

/** Only the counts: the per-file list and examples run to thousands of entries. */
const counts = (r: IngestReport | null) =>
  r && { files: r.files, records: r.records, badLines: r.badLines, nodata: r.nodata, skipdata: r.skipdata };

/** One run as it goes into the JSON line: rounded, with the ratios the targets are stated in. */
function runJson(r: RunResult) {
  const { ingest, scan } = r;
  const millions = r.records / 1e6;
  return {
    variant: r.variant,
    records: r.records,
    corpus: r.corpus,
    zcat: { seconds: round(r.zcatSeconds), recordsPerSecond: Math.round(r.records / r.zcatSeconds) },
    ingest: ingest && {
      exitCode: ingest.exitCode,
      seconds: round(ingest.seconds),
      recordsPerSecond: Math.round(r.records / ingest.seconds),
      overZcat: ratio(ingest.seconds, r.zcatSeconds),
      cpuSeconds: round(ingest.cpuSeconds, 2),
      peakRssMb: round(ingest.peakRssMb, 1),
      rssSource: ingest.rssSource,
      workspaceBytes: ingest.workspaceBytes,
      report: counts(ingest.report),
    },
    scan: scan && {
      exitCode: scan.exitCode,
      seconds: round(scan.seconds),
      overZcat: ratio(scan.seconds, r.zcatSeconds),
      cpuSeconds: round(scan.cpuSeconds, 2),
      peakRssMb: round(scan.peakRssMb, 1),
      rssSource: scan.rssSource,
      stages: scan.stages,
      inMemoryIngestOverZcat: ratio(scan.stages?.read, r.zcatSeconds),
      analysisSeconds: round(scan.analysisSeconds, 2),
      analysisSecondsPerMillion: round(
        scan.analysisSeconds === null ? null : scan.analysisSeconds / millions,
      ),
      connections: scan.connections,
      connectionsPerRecord: scan.connections === null ? null : round(scan.connections / r.records),
      findings: scan.findings,
      detectorMs: scan.detectorMs,
      report: counts(scan.report),
    },
    check: r.problems.length === 0 ? 'ok' : 'failed',
    problems: r.problems,
    warnings: r.warnings,
  };
}

function figures(r: RunResult): RunFigures {
  const f: RunFigures = { variant: r.variant, records: r.records, zcatSeconds: r.zcatSeconds };
  if (r.ingest?.exitCode === 0) {
    f.ingestSeconds = r.ingest.seconds;
    if (r.ingest.peakRssMb !== null) f.ingestPeakRssMb = r.ingest.peakRssMb;
  }
  if (r.scan?.exitCode === 0) {
    f.scanSeconds = r.scan.seconds;
    if (r.scan.peakRssMb !== null) f.scanPeakRssMb = r.scan.peakRssMb;
    if (r.scan.stages) f.readSeconds = r.scan.stages.read;
    if (r.scan.analysisSeconds !== null) f.analysisSeconds = r.scan.analysisSeconds;
  }
  return f;
}

/**
 * Every corpus is made before anything is timed, so no generation (CPU, dirty pages being written
 * back) runs beside a measurement.
 */
async function prepare(options: BenchOptions): Promise<Corpus[]> {
  const corpora: Corpus[] = [];
  for (const records of options.sizes) {
    for (const variant of options.variants)
      corpora.push(await ensureCorpus(ROOT, variant, records, options.seed));
  }
  return corpora;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  const machine = machineFacts();
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    console.error('bench: dist/cli/main.js is missing; run `npm run build` first (`npm run bench` does)');
    return 1;
  }
  const corpora = await prepare(options);
  const runs: RunResult[] = [];
  for (const corpus of corpora) {
    runs.push(
      await runCorpus(corpus, {
        root: ROOT,
        memoryLimit: options.memoryLimit,
        scan: options.scan,
        keep: options.keep,
      }),
    );
  }
  const targets = evaluateTargets(runs.map(figures));
  console.log(`\n${runsTable(runs)}\n\n${targetsTable(targets)}\n`);
  for (const r of runs) if (r.kept) console.log(`kept: ${r.kept}`);
  const ok = runs.every((r) => r.problems.length === 0);
  if (!ok) console.log('bench: FAILED (see the FAILED / MISMATCH lines above)');
  const summary = {
    bench: 'ingest-scan',
    generatorVersion: GENERATOR_VERSION,
    seed: options.seed,
    memoryLimit: options.memoryLimit ?? null,
    sizes: options.sizes,
    variants: options.variants,
    runs: runs.map(runJson),
    targets: targets.map((t) => ({ ...t, value: round(t.value, 2) })),
    check: ok ? 'ok' : 'failed',
    // the load at the end as well: a high one means other work shared the CPUs during the run
    machine: { ...machine, loadAverage1mAtEnd: Number((loadavg()[0] ?? 0).toFixed(2)) },
  };
  console.log(JSON.stringify(summary));
  return ok ? 0 : 1;
}

process.exitCode = await main();
