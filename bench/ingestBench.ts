/**
 * The ingest benchmark (`npm run bench`): how fast `flowhawk ingest` loads a realistic VPC Flow Logs
 * corpus, with what peak memory, compared with the time plain `zcat` needs just to decompress it.
 *
 *   node --import tsx bench/ingestBench.ts [--records N] [--seed S] [--no-scan] [--keep]
 *
 * The corpus (bench/out/corpus, default 10M records, or BENCH_RECORDS) is generated once and reused
 * while its manifest matches. Exits 1 when ingest fails or its counts disagree with the corpus.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listCorpusFiles, machineFacts, runMeasured, timeZcat } from './benchProcs.js';
import {
  type CorpusStats,
  GENERATOR_VERSION,
  generateCorpus,
  parseCount,
  progressPrinter,
} from './generateCorpus.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS_REL = 'bench/out/corpus';
const CORPUS = join(ROOT, CORPUS_REL);
// Beside the corpus, not in it, so the ingest never sees it.
const MANIFEST = join(ROOT, 'bench/out/corpus.manifest.json');

interface Manifest extends CorpusStats {
  generatorVersion: number;
  seed: number;
}

interface IngestReport {
  files: number;
  records: number;
  badLines: number;
  nodata: number;
  skipdata: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Reuses bench/out/corpus when its manifest matches the request and every file is there. */
async function ensureCorpus(records: number, seed: number): Promise<{ manifest: Manifest; files: string[] }> {
  const old = (await readFile(MANIFEST, 'utf8').then(JSON.parse, () => undefined)) as Manifest | undefined;
  if (old?.records === records && old.seed === seed && old.generatorVersion === GENERATOR_VERSION) {
    const files = await listCorpusFiles(CORPUS);
    if (files.length === old.files) {
      console.log(`corpus: ${CORPUS_REL} reused (${fmt(records)} records, ${fmt(files.length)} files)`);
      return { manifest: old, files };
    }
  }
  // Drop the manifest first: an interrupted generation must not look like a valid corpus.
  await rm(MANIFEST, { force: true });
  console.log(`corpus: generating ${fmt(records)} records into ${CORPUS_REL} (seed ${seed}) ...`);
  await mkdir(CORPUS, { recursive: true });
  const stats = await generateCorpus({ records, out: CORPUS, seed, onProgress: progressPrinter(records) });
  const manifest: Manifest = { generatorVersion: GENERATOR_VERSION, seed, ...stats };
  await writeFile(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `corpus: generated in ${stats.seconds.toFixed(1)} s (${fmt(stats.records / stats.seconds)} records/s)`,
  );
  return { manifest, files: await listCorpusFiles(CORPUS) };
}

/** The ingest prints one JSON object on stdout; tolerate log lines before it. */
function parseReport(stdout: string): IngestReport | undefined {
  const text = stdout.trim();
  const candidates = [
    text,
    ...text
      .split('\n')
      .reverse()
      .filter((l) => l.trimStart().startsWith('{')),
  ];
  for (const c of candidates) {
    try {
      const r = JSON.parse(c) as Partial<IngestReport>;
      const fields = [r.files, r.records, r.badLines, r.nodata, r.skipdata];
      if (fields.every((v) => typeof v === 'number')) return r as IngestReport;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Expected vs. reported counts; any difference is a reader bug (the generator writes no bad lines). */
function checkCounts(m: Manifest, r: IngestReport): string[] {
  const problems: string[] = [];
  const total = r.records + r.nodata + r.skipdata;
  if (total !== m.records) {
    problems.push(
      `records ${fmt(r.records)} + nodata ${fmt(r.nodata)} + skipdata ${fmt(r.skipdata)} = ${fmt(total)}, generated ${fmt(m.records)}`,
    );
  }
  if (r.nodata !== m.nodata) problems.push(`nodata ${fmt(r.nodata)}, generated ${fmt(m.nodata)}`);
  if (r.skipdata !== m.skipdata) problems.push(`skipdata ${fmt(r.skipdata)}, generated ${fmt(m.skipdata)}`);
  if (r.files !== m.files) problems.push(`files ${fmt(r.files)}, generated ${fmt(m.files)}`);
  if (r.badLines !== 0) problems.push(`badLines ${fmt(r.badLines)}, expected 0`);
  return problems;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

/**
 * `flowhawk scan` over the same corpus into a fresh workspace: reading plus every detector, compared
 * with the ingest alone (issue #3: under twice the ingest time).
 */
async function runScan(workspace: string): Promise<Record<string, unknown> | 'not available' | 'failed'> {
  const args = ['bin/flowhawk.js', 'scan', CORPUS_REL, '--workspace', workspace, '--format', 'json'];
  const run = await runMeasured(process.execPath, [...args, '--output', '/dev/null'], ROOT);
  if (run.exitCode !== 0 && /unknown command|not (yet )?(available|implemented)/i.test(run.stderrTail)) {
    console.log('scan: not available');
    return 'not available';
  }
  if (run.exitCode !== 0) {
    console.error(`scan: FAILED (exit ${run.exitCode})`);
    return 'failed';
  }
  console.log(
    `scan:   ${run.wallSeconds.toFixed(1)} s, peak RSS ${run.peakRssMb?.toFixed(0) ?? '?'} MB, ` +
      `cpu ${run.cpuSeconds?.toFixed(1) ?? '?'} s`,
  );
  return {
    seconds: Number(run.wallSeconds.toFixed(3)),
    peakRssMb: run.peakRssMb === null ? null : Number(run.peakRssMb.toFixed(1)),
    cpuSeconds: run.cpuSeconds,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'no-scan': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const machine = machineFacts();
  const records = parseCount(values.records ?? process.env.BENCH_RECORDS ?? '10000000');
  const { manifest, files } = await ensureCorpus(records, parseCount(values.seed));
  console.log(
    `corpus: ${fmt(manifest.files)} files, ${mb(manifest.bytesCompressed)} gzip, ` +
      `${mb(manifest.bytesUncompressed)} raw, ${(manifest.bytesCompressed / Math.max(1, records)).toFixed(1)} B/record gzip`,
  );

  const zcatSeconds = await timeZcat(files);
  console.log(
    `zcat:   ${zcatSeconds.toFixed(2)} s, ${fmt(records / zcatSeconds)} records/s, ` +
      `${(manifest.bytesUncompressed / 1e6 / zcatSeconds).toFixed(0)} MB/s raw (one process at a time)`,
  );

  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    console.error('ingest: dist/cli/main.js is missing; run `npm run build` first (`npm run bench` does)');
    return 1;
  }
  const scratch = await mkdtemp(join(tmpdir(), 'flowhawk-bench-'));
  try {
    const workspace = join(scratch, 'bench.duckdb');
    const args = ['bin/flowhawk.js', 'ingest', CORPUS_REL, '--workspace', workspace, '--json'];
    const run = await runMeasured(process.execPath, args, ROOT);
    if (run.exitCode !== 0) {
      console.error(`ingest: FAILED (exit ${run.exitCode})`);
      return 1;
    }
    const report = parseReport(run.stdout);
    if (!report) {
      console.error(
        `ingest: no JSON report with files/records/badLines/nodata/skipdata on stdout:\n${run.stdout}`,
      );
      return 1;
    }
    const workspaceBytes = await dirBytes(scratch);
    const ratio = run.wallSeconds / zcatSeconds;
    console.log(
      `ingest: ${run.wallSeconds.toFixed(2)} s, ${fmt(records / run.wallSeconds)} records/s, ` +
        `peak RSS ${run.peakRssMb?.toFixed(0) ?? '?'} MB, cpu ${run.cpuSeconds?.toFixed(1) ?? '?'} s, ` +
        `workspace ${mb(workspaceBytes)} (${(workspaceBytes / Math.max(1, records)).toFixed(1)} B/record)`,
    );
    console.log(`ratio:  ingest / zcat = ${ratio.toFixed(2)}x`);
    const problems = checkCounts(manifest, report);
    for (const p of problems) console.log(`MISMATCH: ${p}`);
    if (problems.length === 0) {
      console.log(
        `check:  records ${fmt(report.records)} + nodata ${fmt(report.nodata)} + skipdata ${fmt(report.skipdata)} = ${fmt(records)} OK`,
      );
    }
    const scan = values['no-scan'] ? undefined : await runScan(join(scratch, 'scan.duckdb'));
    if (scan && typeof scan === 'object') {
      const overIngest = (scan.seconds as number) / run.wallSeconds;
      scan.overIngest = Number(overIngest.toFixed(2));
      console.log(`ratio:  scan / ingest = ${overIngest.toFixed(2)}x (target < 2x)`);
    }

    const round = (n: number | null, digits = 3) => (n === null ? null : Number(n.toFixed(digits)));
    const summary = {
      bench: 'ingest',
      records,
      files: manifest.files,
      corpus: { bytesCompressed: manifest.bytesCompressed, bytesUncompressed: manifest.bytesUncompressed },
      zcat: { seconds: round(zcatSeconds), recordsPerSecond: Math.round(records / zcatSeconds) },
      ingest: {
        seconds: round(run.wallSeconds),
        recordsPerSecond: Math.round(records / run.wallSeconds),
        peakRssMb: round(run.peakRssMb, 1),
        cpuSeconds: round(run.cpuSeconds, 2),
        rssSource: run.rssSource,
        workspaceBytes,
        // the per-file list is thousands of entries: the totals are what runs are compared on
        report: { ...report, perFile: undefined },
      },
      ingestOverZcat: round(ratio, 2),
      check: problems.length === 0 ? 'ok' : 'mismatch',
      ...(scan === undefined ? {} : { scan }),
      machine,
    };
    console.log(JSON.stringify(summary));
    return problems.length === 0 && scan !== 'failed' ? 0 : 1;
  } finally {
    if (values.keep) console.log(`workspace kept in ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main();
