/**
 * One bench run over one corpus, in this order so all three read the files from the page cache:
 * zcat (the floor), `flowhawk ingest` into a workspace file, and `flowhawk scan` in memory with
 * --verbose (its stage line gives the in-memory ingest and the analysis stages).
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Corpus } from './benchCorpus.js';
import { sizeLabel } from './benchCorpus.js';
import { type Measured, runMeasured, timeZcat } from './benchProcs.js';
import {
  analysisSeconds,
  checkCounts,
  type IngestReport,
  parseIngestReport,
  parseStageLine,
  readScanHead,
  type StageTimes,
} from './childOutput.js';
import type { CorpusVariant } from './generateCorpus.js';

export interface RunSettings {
  /** the repository: flowhawk runs from there, on the corpus's relative path */
  root: string;
  memoryLimit: string | undefined;
  scan: boolean;
  keep: boolean;
}

export interface ProcessFigures {
  exitCode: number;
  seconds: number;
  cpuSeconds: number | null;
  /** MiB */
  peakRssMb: number | null;
  rssSource: Measured['rssSource'];
}

export interface IngestFigures extends ProcessFigures {
  workspaceBytes: number | null;
  report: IngestReport | null;
}

export interface ScanFigures extends ProcessFigures {
  stages: StageTimes | null;
  analysisSeconds: number | null;
  connections: number | null;
  findings: number | null;
  detectorMs: Record<string, number>;
  report: IngestReport | null;
}

export interface RunResult {
  variant: CorpusVariant;
  records: number;
  corpus: {
    dir: string;
    files: number;
    flows: number;
    nodata: number;
    skipdata: number;
    bytesCompressed: number;
    bytesUncompressed: number;
  };
  zcatSeconds: number;
  ingest: IngestFigures | null;
  scan: ScanFigures | null;
  /** 'FAILED: …' (a command) and 'MISMATCH: …' (counts) lines; empty when the run is good */
  problems: string[];
  /** worst case only: connections differ from flow records (the corpus is not what it claims) */
  warnings: string[];
  /** where the workspace and scan output were kept (--keep) */
  kept?: string;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (n: number | null): string => (n === null ? '?' : `${n.toFixed(0)} MiB`);

function processFigures(run: Measured): ProcessFigures {
  return {
    exitCode: run.exitCode,
    seconds: run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    peakRssMb: run.peakRssMb,
    rssSource: run.rssSource,
  };
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

const limitArgs = (s: RunSettings): string[] => (s.memoryLimit ? ['--memory-limit', s.memoryLimit] : []);

async function runIngest(corpus: Corpus, s: RunSettings, scratch: string, out: RunResult): Promise<void> {
  const workspace = join(scratch, 'ingest.duckdb');
  // --quiet like the scan: no progress lines, so both are timed doing the same work
  const args = ['bin/flowhawk.js', 'ingest', corpus.rel, '--workspace', workspace, '--json', '--quiet'];
  args.push(...limitArgs(s));
  const run = await runMeasured(process.execPath, args, s.root);
  const report = run.exitCode === 0 ? (parseIngestReport(run.stdout) ?? null) : null;
  // the workspace file and its WAL, nothing else is in scratch yet
  const workspaceBytes = run.exitCode === 0 ? await dirBytes(scratch) : null;
  out.ingest = { ...processFigures(run), workspaceBytes, report };
  if (run.exitCode !== 0) {
    out.problems.push(`FAILED: ingest exited with ${run.exitCode}`);
    return;
  }
  if (!report) {
    out.problems.push('FAILED: ingest printed no JSON report with files/records/badLines/nodata/skipdata');
    return;
  }
  out.problems.push(...checkCounts(corpus.manifest, report).map((p) => `MISMATCH: ingest: ${p}`));
  console.log(
    `ingest: ${run.wallSeconds.toFixed(2)} s into a workspace, peak RSS ${mib(run.peakRssMb)}, ` +
      `cpu ${run.cpuSeconds?.toFixed(1) ?? '?'} s, workspace ${((workspaceBytes ?? 0) / 1e6).toFixed(1)} MB`,
  );
}

async function runScan(corpus: Corpus, s: RunSettings, scratch: string, out: RunResult): Promise<void> {
  const output = join(scratch, 'scan.json');
  const args = ['bin/flowhawk.js', 'scan', corpus.rel, '--verbose', '--quiet', '--format', 'json'];
  // --verbose lists every detector on stderr: keep it for the stage line instead of echoing it
  const run = await runMeasured(process.execPath, [...args, '--output', output, ...limitArgs(s)], s.root, {
    echoStderr: false,
  });
  const stages = parseStageLine(run.stderrTail) ?? null;
  const head = run.exitCode === 0 ? await readScanHead(output).catch(() => undefined) : undefined;
  out.scan = {
    ...processFigures(run),
    stages,
    analysisSeconds: stages ? (analysisSeconds(stages) ?? null) : null,
    connections: head?.connections ?? null,
    findings: head?.findings ?? null,
    detectorMs: head?.detectorMs ?? {},
    report: head?.ingest ?? null,
  };
  if (run.exitCode !== 0) {
    process.stderr.write(run.stderrTail);
    out.problems.push(`FAILED: scan exited with ${run.exitCode}`);
    return;
  }
  if (!stages)
    out.problems.push('FAILED: scan --verbose wrote no stage line (flowhawk: stages: read … s, …)');
  if (!head?.ingest) out.problems.push('FAILED: the scan output holds no ingest summary');
  else out.problems.push(...checkCounts(corpus.manifest, head.ingest).map((p) => `MISMATCH: scan: ${p}`));
  const flows = head?.ingest?.records;
  if (corpus.manifest.variant === 'worst-case' && flows !== undefined && head?.connections !== flows) {
    out.warnings.push(
      `worst case: ${fmt(head?.connections ?? 0)} connections from ${fmt(flows)} flow records (expected one each)`,
    );
  }
  console.log(
    `scan:   ${run.wallSeconds.toFixed(2)} s in memory, peak RSS ${mib(run.peakRssMb)}, ` +
      `cpu ${run.cpuSeconds?.toFixed(1) ?? '?'} s, ${fmt(head?.connections ?? 0)} connections, ` +
      `${fmt(head?.findings ?? 0)} findings`,
  );
}

/** Measures one corpus; problems (failed commands, count mismatches) are collected, not thrown. */
export async function runCorpus(corpus: Corpus, settings: RunSettings): Promise<RunResult> {
  const m = corpus.manifest;
  console.log(`\n== ${m.variant} ${sizeLabel(m.records)} ==`);
  console.log(
    `corpus: ${fmt(m.files)} files, ${(m.bytesCompressed / 1e6).toFixed(1)} MB gzip, ` +
      `${(m.bytesUncompressed / 1e6).toFixed(1)} MB raw, ${(m.bytesCompressed / Math.max(1, m.records)).toFixed(1)} B/record gzip`,
  );
  const zcatSeconds = await timeZcat(corpus.files);
  console.log(`zcat:   ${zcatSeconds.toFixed(2)} s, ${fmt(m.records / zcatSeconds)} records/s`);
  const out: RunResult = {
    variant: m.variant,
    records: m.records,
    corpus: {
      dir: corpus.rel,
      files: m.files,
      flows: m.flows,
      nodata: m.nodata,
      skipdata: m.skipdata,
      bytesCompressed: m.bytesCompressed,
      bytesUncompressed: m.bytesUncompressed,
    },
    zcatSeconds,
    ingest: null,
    scan: null,
    problems: [],
    warnings: [],
  };
  const scratch = await mkdtemp(join(tmpdir(), `flowhawk-bench-${m.variant}-${sizeLabel(m.records)}-`));
  try {
    await runIngest(corpus, settings, scratch, out);
    // the workspace is measured: drop it before the scan so a 30M run does not hold both on disk
    if (!settings.keep) {
      await rm(scratch, { recursive: true, force: true });
      await mkdir(scratch);
    }
    if (settings.scan) await runScan(corpus, settings, scratch, out);
  } finally {
    if (settings.keep) out.kept = scratch;
    else await rm(scratch, { recursive: true, force: true });
  }
  for (const p of out.problems) console.log(p);
  for (const w of out.warnings) console.log(`WARNING: ${w}`);
  if (out.problems.length === 0) {
    const which = settings.scan ? 'ingest and scan' : 'ingest';
    console.log(`check:  records + nodata + skipdata = ${fmt(m.records)} generated (${which}) OK`);
  }
  return out;
}
