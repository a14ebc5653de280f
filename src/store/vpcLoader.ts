import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { VpcLayout } from '../readers/vpcText.js';
import type { DuckdbStore } from './duckdbStore.js';
import {
  addressSql,
  COUNT_KINDS_SQL,
  classifiedViewSql,
  insertBadLinesSql,
  insertFlowsSql,
  insertLogHealthSql,
} from './vpcTransformSql.js';

/** What a flush found, per file: how many lines became flows, log-health facts, headers, bad lines. */
export type KindCounts = Map<number, Record<string, number>>;

/** Lines of one file that a clean batch holds, in order, so row positions map back to line numbers. */
export interface Segment {
  fileId: number;
  /** the file's name as the user gave it, for messages */
  path: string;
  firstLine: number;
  lineCount: number;
}

/** Clean chunks go to DuckDB's CSV reader as they are; tolerant rows are written with their line. */
interface Batch {
  path: string;
  fd: number;
  bytes: number;
  rows: number;
  segments: Segment[];
}

const FLUSH_BYTES = 48 << 20;
const SQL_STRING = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Loads VPC text records into the store in large batches. Two ways in, one transform out:
 * - clean chunks (see isCleanChunk) are parsed by DuckDB's multi-threaded CSV reader, the fast path;
 * - rows the reader split itself (quirky or damaged input) are written with explicit line numbers.
 * If DuckDB rejects a clean batch, it is re-read row by row through `fallback`, so nothing is lost.
 */
export class VpcLoader {
  private readonly clean = new Map<string, { layout: VpcLayout; batch: Batch }>();
  private readonly tolerant = new Map<string, { layout: VpcLayout; batch: Batch }>();
  private serial = 0;
  private inFlight: Promise<void> = Promise.resolve();
  // true while a flush re-reads a rejected batch: its rows must wait for the next flush, not start one
  private replaying = false;
  readonly counts: KindCounts = new Map();

  constructor(
    private readonly store: DuckdbStore,
    private readonly fallback: (layout: VpcLayout, segment: Segment, bytes: Buffer) => Promise<void>,
  ) {}

  async addCleanChunk(
    layout: VpcLayout,
    fileId: number,
    path: string,
    firstLine: number,
    lineCount: number,
    bytes: Buffer,
  ) {
    const slot = this.slot(this.clean, layout);
    writeSync(slot.batch.fd, bytes);
    if (bytes[bytes.length - 1] !== 0x0a) writeSync(slot.batch.fd, '\n');
    slot.batch.segments.push({ fileId, path, firstLine, lineCount });
    slot.batch.rows += lineCount;
    slot.batch.bytes += bytes.length;
    if (slot.batch.bytes >= FLUSH_BYTES) await this.startFlush(this.clean, layout, 'clean');
  }

  async addRow(layout: VpcLayout, fileId: number, line: number, values: readonly string[]) {
    const slot = this.slot(this.tolerant, layout);
    const text = `${fileId} ${line} ${values.join(' ')}\n`;
    writeSync(slot.batch.fd, text);
    slot.batch.rows++;
    slot.batch.bytes += text.length;
    if (!this.replaying && slot.batch.bytes >= FLUSH_BYTES)
      await this.startFlush(this.tolerant, layout, 'tolerant');
  }

  /** Loads everything still buffered and waits for it. */
  async finish(): Promise<void> {
    for (;;) {
      // a clean batch that DuckDB rejects turns into tolerant rows while it flushes: wait, then look again
      await this.inFlight;
      const clean = this.clean.values().next().value;
      const tolerant = this.tolerant.values().next().value;
      if (clean) await this.startFlush(this.clean, clean.layout, 'clean');
      else if (tolerant) await this.startFlush(this.tolerant, tolerant.layout, 'tolerant');
      else return;
    }
  }

  private slot(map: Map<string, { layout: VpcLayout; batch: Batch }>, layout: VpcLayout) {
    const key = layout.fields.join(' ');
    let slot = map.get(key);
    if (!slot) {
      const path = join(this.store.scratchDir, `batch-${this.serial++}.txt`);
      slot = { layout, batch: { path, fd: openSync(path, 'w'), bytes: 0, rows: 0, segments: [] } };
      map.set(key, slot);
    }
    return slot;
  }

  /** Hands the batch to DuckDB while the caller goes on reading; one flush runs at a time. */
  private async startFlush(
    map: Map<string, { layout: VpcLayout; batch: Batch }>,
    layout: VpcLayout,
    kind: 'clean' | 'tolerant',
  ): Promise<void> {
    const key = layout.fields.join(' ');
    const slot = map.get(key);
    if (!slot) return;
    map.delete(key);
    closeSync(slot.batch.fd);
    await this.inFlight;
    this.inFlight =
      kind === 'clean' ? this.loadClean(layout, slot.batch) : this.loadTolerant(layout, slot.batch);
    // surface a failure on the next call rather than as an unhandled rejection
    this.inFlight.catch(() => undefined);
  }

  private csvColumns(layout: VpcLayout, withLine: boolean): string {
    const columns = layout.fields.map((_, index) => `'f${index}': 'VARCHAR'`);
    if (withLine) columns.unshift(`'fh_file_id': 'INTEGER'`, `'fh_line': 'BIGINT'`);
    return `{${columns.join(', ')}}`;
  }

  private readCsv(path: string, columns: string): string {
    return `read_csv(${SQL_STRING(path)}, delim = ' ', header = false, auto_detect = false, quote = '',
      escape = '', new_line = '\\n', columns = ${columns})`;
  }

  private async loadClean(layout: VpcLayout, batch: Batch): Promise<void> {
    const { store } = this;
    let staged = false;
    try {
      await store.run(
        `CREATE OR REPLACE TEMP TABLE fh_raw AS SELECT * FROM ${this.readCsv(batch.path, this.csvColumns(layout, false))}`,
      );
      const [{ n }] = (await store.query<{ n: bigint }>('SELECT count(*) AS n FROM fh_raw')) as [
        { n: bigint },
      ];
      staged = Number(n) === batch.rows;
    } catch {
      staged = false;
    }
    if (!staged) {
      // DuckDB disagreed with the pre-scan (a wrong field count, say): read it the careful way.
      const text = readFileSync(batch.path);
      rmSync(batch.path, { force: true });
      let offset = 0;
      this.replaying = true;
      try {
        for (const segment of batch.segments) {
          const end = nthNewline(text, offset, segment.lineCount);
          await this.fallback(layout, segment, text.subarray(offset, end));
          offset = end;
        }
      } finally {
        this.replaying = false;
      }
      return;
    }
    rmSync(batch.path, { force: true });
    let rowStart = 0;
    const segmentRows = batch.segments.map((s) => {
      const row = `(${rowStart}, ${s.fileId}, ${s.firstLine})`;
      rowStart += s.lineCount;
      return row;
    });
    await store.run(
      `CREATE OR REPLACE TEMP TABLE fh_segments AS SELECT * FROM (VALUES ${segmentRows.join(', ')}) AS t(row_start, file_id, first_line)`,
    );
    await store.run(`CREATE OR REPLACE TEMP VIEW fh_staged AS
      SELECT s.file_id AS fh_file_id, s.first_line + (r.rowid - s.row_start) AS fh_line, r.* EXCLUDE (rowid)
      FROM (SELECT rowid, * FROM fh_raw) AS r ASOF JOIN fh_segments AS s ON r.rowid >= s.row_start`);
    await this.transform(layout, 'fh_staged');
  }

  private async loadTolerant(layout: VpcLayout, batch: Batch): Promise<void> {
    await this.store.run(
      `CREATE OR REPLACE TEMP TABLE fh_raw AS SELECT * FROM ${this.readCsv(batch.path, this.csvColumns(layout, true))}`,
    );
    rmSync(batch.path, { force: true });
    await this.transform(layout, 'fh_raw');
  }

  private async transform(layout: VpcLayout, source: string): Promise<void> {
    await this.store.exclusive(() => this.transformNow(layout, source));
  }

  private async transformNow(layout: VpcLayout, source: string): Promise<void> {
    const { store } = this;
    for (const sql of addressSql(layout, source)) await store.run(sql);
    await store.run(classifiedViewSql(layout, source));
    await store.run('BEGIN TRANSACTION');
    await store.run(insertFlowsSql(layout));
    await store.run(insertLogHealthSql(layout));
    await store.run(insertBadLinesSql(layout));
    await store.run('COMMIT');
    for (const row of await store.query<{ file_id: number; kind: string; n: bigint }>(COUNT_KINDS_SQL)) {
      const perFile = this.counts.get(row.file_id) ?? {};
      perFile[row.kind] = (perFile[row.kind] ?? 0) + Number(row.n);
      this.counts.set(row.file_id, perFile);
    }
  }
}

/** Offset just past the `count`-th newline from `start` (or the end of the buffer). */
function nthNewline(bytes: Buffer, start: number, count: number): number {
  let at = start;
  for (let i = 0; i < count; i++) {
    const next = bytes.indexOf(0x0a, at);
    if (next === -1) return bytes.length;
    at = next + 1;
  }
  return at;
}
