import type { InputFormat } from '../readers/sniff.js';
import type { VpcLayout } from '../readers/vpcText.js';
import type { FileSummary, IngestSummary, SkippedFile, UnreadableFile } from '../report.js';
import type { DuckdbStore } from '../store/duckdbStore.js';
import { FIELD_EFFECTS } from './fieldEffects.js';
import type { KindCounts } from './vpcLoader.js';

export interface ReaderBadLine {
  fileId: number;
  line: number;
  reason: string;
  excerpt: string;
}

const EXAMPLES_SHOWN = 10;
const JS_BAD_LINES_KEPT_PER_FILE = 200;

/** Running counts while files are read. */
export class IngestTally {
  headers = 0;
  readonly skipped: SkippedFile[] = [];
  readonly unreadable: UnreadableFile[] = [];
  readonly warnings: string[] = [];
  readonly fields = new Set<string>();
  readonly files = new Map<number, FileSummary>();
  /** bad lines found by readers (structure), per file until the file is committed; value problems are found by the store */
  private readonly readerBadLines = new Map<number, ReaderBadLine[]>();
  private readonly seenLayouts = new WeakSet<VpcLayout>();

  fileStarted(fileId: number, path: string, format: InputFormat) {
    this.files.set(fileId, { path, format, records: 0, badLines: 0, nodata: 0, skipdata: 0 });
  }

  noteLayout(layout: VpcLayout) {
    if (this.seenLayouts.has(layout)) return;
    this.seenLayouts.add(layout);
    for (const name of layout.fields) if (name) this.fields.add(name);
  }

  noteFields(names: Iterable<string>) {
    for (const name of names) this.fields.add(name);
  }

  badLine(fileId: number, _path: string, line: number, reason: string, excerpt: string) {
    const file = this.files.get(fileId);
    if (file) file.badLines++;
    if ((file?.badLines ?? 0) > JS_BAD_LINES_KEPT_PER_FILE) return;
    const kept = this.readerBadLines.get(fileId) ?? [];
    kept.push({ fileId, line, reason, excerpt });
    this.readerBadLines.set(fileId, kept);
  }

  /** The kept bad lines of these files, for the transaction that commits them; forgotten here. */
  takeReaderBadLines(fileIds: readonly number[]): ReaderBadLine[] {
    return fileIds.flatMap((id) => {
      const kept = this.readerBadLines.get(id) ?? [];
      this.readerBadLines.delete(id);
      return kept;
    });
  }

  warn(message: string) {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  addCounts(counts: KindCounts) {
    for (const [fileId, kinds] of counts) {
      const file = this.files.get(fileId);
      if (!file) continue;
      file.records += kinds.flow ?? 0;
      file.badLines += kinds.bad ?? 0;
      file.nodata += kinds.NODATA ?? 0;
      file.skipdata += kinds.SKIPDATA ?? 0;
      this.headers += kinds.header ?? 0;
    }
  }
}

/** Builds the summary of this run from the tally and the store. */
export async function summarise(
  store: DuckdbStore,
  tally: IngestTally,
  elapsedMs: number,
): Promise<IngestSummary> {
  const ids = [...tally.files.keys()];
  const inRun = ids.length > 0 ? `file_id IN (${ids.join(', ')})` : 'false';
  const examples = await store.query<{ file_id: number; line: bigint; reason: string; excerpt: string }>(
    `SELECT file_id, line, reason, excerpt FROM bad_lines WHERE ${inRun} ORDER BY file_id, line LIMIT ${EXAMPLES_SHOWN}`,
  );
  const [facts] = await store.query<{
    t0: number | null;
    t1: number | null;
    interfaces: bigint;
    accounts: string[] | null;
    regions: string[] | null;
  }>(`SELECT min(start_time) AS t0, max(end_time) AS t1, count(DISTINCT interface_id) AS interfaces,
        list(DISTINCT account_id ORDER BY account_id) FILTER (WHERE account_id IS NOT NULL) AS accounts,
        list(DISTINCT region ORDER BY region) FILTER (WHERE region IS NOT NULL) AS regions
      FROM flows WHERE ${inRun}`);
  const perFile = [...tally.files.entries()].sort(([a], [b]) => a - b).map(([, file]) => file);
  const sum = (pick: (f: FileSummary) => number) => perFile.reduce((total, f) => total + pick(f), 0);
  const records = sum((f) => f.records);
  const iso = (t: number | null | undefined) => (t == null ? null : new Date(t * 1000).toISOString());
  return {
    files: perFile.length,
    filesSkipped: tally.skipped,
    filesUnreadable: tally.unreadable,
    records,
    badLines: sum((f) => f.badLines),
    badLineExamples: examples.map((e) => ({
      file: tally.files.get(e.file_id)?.path ?? String(e.file_id),
      line: Number(e.line),
      reason: e.reason,
      excerpt: e.excerpt,
    })),
    nodata: sum((f) => f.nodata),
    skipdata: sum((f) => f.skipdata),
    headers: tally.headers,
    timeSpan: { start: iso(facts?.t0), end: iso(facts?.t1) },
    interfaces: Number(facts?.interfaces ?? 0),
    accounts: [...(facts?.accounts ?? [])],
    regions: [...(facts?.regions ?? [])],
    fieldsPresent: [...tally.fields].sort(),
    fieldsMissing: Object.entries(FIELD_EFFECTS)
      .filter(([field]) => perFile.length > 0 && !tally.fields.has(field))
      .map(([field, effect]) => ({ field, effect })),
    warnings: tally.warnings,
    perFile,
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: elapsedMs > 0 ? Math.round((records / elapsedMs) * 1000) : 0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
