/**
 * What the bench reads back from the flowhawk processes it runs: the ingest summary (`ingest --json`
 * on stdout, or the `ingest` member of `scan --format json`), the stage line `scan --verbose` writes on
 * stderr, and whether the counts agree with the corpus that was generated.
 */
import { createReadStream } from 'node:fs';

export interface IngestReport {
  files: number;
  records: number;
  badLines: number;
  nodata: number;
  skipdata: number;
}

function isIngestReport(value: unknown): value is IngestReport {
  const r = value as Partial<IngestReport> | null;
  return [r?.files, r?.records, r?.badLines, r?.nodata, r?.skipdata].every((v) => typeof v === 'number');
}

/** `ingest --json` prints one JSON object on stdout; tolerate log lines before it. */
export function parseIngestReport(stdout: string): IngestReport | undefined {
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
      const r: unknown = JSON.parse(c);
      if (isIngestReport(r)) return r;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Seconds per stage of one scan; the analysis stages are absent when the scan reports none. */
export interface StageTimes {
  read: number;
  render: number;
  connections?: number;
  detectors?: number;
  evidence?: number;
  leaders?: number;
}

const STAGE_NAMES = ['read', 'connections', 'detectors', 'evidence', 'leaders', 'render'] as const;

/**
 * The last `flowhawk: stages: read 12.34 s, connections 1.23 s, …` line of a scan's stderr (the scan
 * writes it after the output). Undefined when there is none, or when it lacks read or render or holds
 * a part it does not recognise: a changed line must not be half-read into wrong figures.
 */
export function parseStageLine(stderr: string): StageTimes | undefined {
  const lines = [...stderr.matchAll(/^flowhawk: stages: (.*)$/gm)];
  const body = lines.at(-1)?.[1];
  if (body === undefined) return undefined;
  const times: Partial<Record<(typeof STAGE_NAMES)[number], number>> = {};
  for (const part of body.trim().split(/,\s*/)) {
    const m = /^([a-z]+) (\d+(?:\.\d+)?) s$/.exec(part);
    const name = STAGE_NAMES.find((n) => n === m?.[1]);
    if (!m || !name || times[name] !== undefined) return undefined;
    times[name] = Number(m[2]);
  }
  const { read, render } = times;
  if (read === undefined || render === undefined) return undefined;
  return { ...times, read, render };
}

/**
 * The analysis seconds of a scan: connections + detectors + evidence + leaders, the part of the scan
 * that issue #12 wants to grow linearly with the records. Undefined without those stages.
 */
export function analysisSeconds(stages: StageTimes): number | undefined {
  const { connections, detectors, evidence, leaders } = stages;
  if (connections === undefined || detectors === undefined || evidence === undefined) return undefined;
  if (leaders === undefined) return undefined;
  return connections + detectors + evidence + leaders;
}

/** The facts of `scan --format json` the bench reports; the findings themselves are not read. */
export interface ScanHead {
  ingest: IngestReport | undefined;
  connections: number | undefined;
  findings: number | undefined;
  /** milliseconds per detector, as the scan measured them */
  detectorMs: Record<string, number>;
}

// The findings document puts its "findings" array last, as a top-level member (two spaces in).
const FINDINGS_MEMBER = '\n  "findings": ';

/**
 * Reads a `scan --format json` file up to its findings array and parses what comes before: the worst
 * case can have many findings, and the bench needs only the ingest summary and analysis facts.
 */
export async function readScanHead(file: string): Promise<ScanHead> {
  let text = '';
  let cut = -1;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const from = Math.max(0, text.length - FINDINGS_MEMBER.length);
    text += chunk as string;
    cut = text.indexOf(FINDINGS_MEMBER, from);
    if (cut >= 0) break;
  }
  if (cut < 0) throw new Error(`${file}: no "findings" member: not a flowhawk findings document`);
  // the member before "findings" ends with its comma: drop it and close the object
  const head = JSON.parse(`${text.slice(0, cut).replace(/,\s*$/, '')}\n}`) as {
    ingest?: unknown;
    analysis?: { connections?: number; detectors?: { id: string; findings: number; elapsedMs: number }[] };
  };
  const detectors = head.analysis?.detectors ?? [];
  return {
    ingest: isIngestReport(head.ingest) ? head.ingest : undefined,
    connections: head.analysis?.connections,
    findings: head.analysis ? detectors.reduce((sum, d) => sum + d.findings, 0) : undefined,
    detectorMs: Object.fromEntries(detectors.map((d) => [d.id, d.elapsedMs])),
  };
}

/** What the corpus holds, from its manifest. */
export interface CorpusCounts {
  files: number;
  records: number;
  nodata: number;
  skipdata: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Expected vs. reported counts; any difference is a reader bug (the generator writes no bad lines). */
export function checkCounts(corpus: CorpusCounts, r: IngestReport): string[] {
  const problems: string[] = [];
  const total = r.records + r.nodata + r.skipdata;
  if (total !== corpus.records) {
    problems.push(
      `records ${fmt(r.records)} + nodata ${fmt(r.nodata)} + skipdata ${fmt(r.skipdata)} = ${fmt(total)}, generated ${fmt(corpus.records)}`,
    );
  }
  if (r.nodata !== corpus.nodata) problems.push(`nodata ${fmt(r.nodata)}, generated ${fmt(corpus.nodata)}`);
  if (r.skipdata !== corpus.skipdata) {
    problems.push(`skipdata ${fmt(r.skipdata)}, generated ${fmt(corpus.skipdata)}`);
  }
  if (r.files !== corpus.files) problems.push(`files ${fmt(r.files)}, generated ${fmt(corpus.files)}`);
  if (r.badLines !== 0) problems.push(`badLines ${fmt(r.badLines)}, expected 0`);
  return problems;
}
