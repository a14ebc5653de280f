import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { vpcField } from '../readers/vpcFields.js';
import type { VpcLayout } from '../readers/vpcText.js';
import type { DuckdbStore } from '../store/duckdbStore.js';
import { type KindCounts, mergeCounts, transformStaged, transformTyped } from './vpcTransform.js';
import type { Staging } from './vpcTransformSql.js';

export type { KindCounts };

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
  /** the files with lines in this batch */
  files: Set<number>;
  fd: number;
  bytes: number;
  rows: number;
  segments: Segment[];
  /** tolerant rows not yet written: one write per ~1 MB, not per row */
  pending: string[];
  pendingChars: number;
}

const PENDING_CHARS = 1 << 20;

function writePending(batch: Batch): void {
  if (batch.pending.length === 0) return;
  writeSync(batch.fd, batch.pending.join(''));
  batch.pending = [];
  batch.pendingChars = 0;
}

/** Text per batch; FLOWHAWK_BATCH_BYTES changes it (smaller batches: less memory and disk, more statements). */
const FLUSH_BYTES = Number(process.env.FLOWHAWK_BATCH_BYTES) || 48 << 20;
const SQL_STRING = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Marks files as completely stored: called on a connection inside an open transaction, the one that
 * commits the files' last rows when there is one.
 */
export type CommitFiles = (connection: DuckDBConnection, fileIds: readonly number[]) => Promise<void>;

/**
 * Loads VPC text records into the store in large batches. Two ways in, one transform out:
 * - clean chunks (see isCleanChunk) are parsed by DuckDB's multi-threaded CSV reader, the fast path;
 * - rows the reader split itself (quirky or damaged input) are written with explicit line numbers.
 * If DuckDB rejects a clean batch, it is re-read row by row through `fallback`, so nothing is lost.
 *
 * A batch holds lines of several files and a file's lines may span batches, so a file is stored
 * completely only once it has been read to its end (fileRead) and every batch holding its lines is
 * committed: `commitFiles` then runs in the transaction of that last batch (or in one of its own when
 * the file's last rows were committed before its reading ended).
 */
export class VpcLoader {
  private readonly clean = new Map<string, { layout: VpcLayout; batch: Batch }>();
  private readonly tolerant = new Map<string, { layout: VpcLayout; batch: Batch }>();
  private serial = 0;
  private inFlight: Promise<void> = Promise.resolve();
  // true while a flush re-reads a rejected batch: its rows must wait for the next flush, not start one
  private replaying = false;
  readonly counts: KindCounts = new Map();
  /** per file, the batches holding its lines that are not committed yet */
  private readonly unloaded = new Map<number, number>();
  /** files read to their end, not yet committed as complete */
  private readonly read = new Set<number>();

  constructor(
    private readonly store: DuckdbStore,
    private readonly fallback: (layout: VpcLayout, segment: Segment, bytes: Buffer) => Promise<void>,
    private readonly commitFiles: CommitFiles = async () => undefined,
    /** told after the commit, with the files it completed */
    private readonly committed: (fileIds: readonly number[]) => void = () => undefined,
  ) {}

  /**
   * The file has been read to its end (every line handed over, or loaded by another loader): it is
   * committed as complete with its last batch, or now if none of its lines wait in a batch.
   */
  fileRead(fileId: number): Promise<void> {
    this.read.add(fileId);
    if ((this.unloaded.get(fileId) ?? 0) > 0) return Promise.resolve();
    const commit = this.inFlight.then(() => this.commitAlone([fileId]));
    this.inFlight = commit;
    this.inFlight.catch(() => undefined);
    return commit;
  }

  private enter(batch: Batch, fileId: number): void {
    if (batch.files.has(fileId)) return;
    batch.files.add(fileId);
    this.unloaded.set(fileId, (this.unloaded.get(fileId) ?? 0) + 1);
  }

  /** Files this batch completes: read to their end, with no lines in any other uncommitted batch. */
  private completedBy(batch: Batch): number[] {
    return [...batch.files].filter((id) => this.read.has(id) && this.unloaded.get(id) === 1);
  }

  /** After a batch is committed (its completed files with it): what now completes on its own. */
  private async loaded(batch: Batch, committed: readonly number[]): Promise<void> {
    for (const id of committed) this.read.delete(id);
    const alone: number[] = [];
    for (const id of batch.files) {
      const left = (this.unloaded.get(id) ?? 1) - 1;
      if (left > 0) this.unloaded.set(id, left);
      else {
        this.unloaded.delete(id);
        if (this.read.has(id)) alone.push(id);
      }
    }
    if (alone.length > 0) await this.commitAlone(alone);
  }

  private async commitAlone(fileIds: number[]): Promise<void> {
    const { store } = this;
    for (const id of fileIds) this.read.delete(id);
    await store.exclusive(async () => {
      await store.run('BEGIN TRANSACTION');
      try {
        await this.commitFiles(store.connection, fileIds);
        await store.run('COMMIT');
      } catch (error) {
        await store.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    this.committed(fileIds);
  }

  async addCleanChunk(
    layout: VpcLayout,
    fileId: number,
    path: string,
    firstLine: number,
    lineCount: number,
    bytes: Uint8Array,
  ) {
    const slot = this.slot(this.clean, layout);
    this.enter(slot.batch, fileId);
    writeSync(slot.batch.fd, bytes);
    if (bytes[bytes.length - 1] !== 0x0a) writeSync(slot.batch.fd, '\n');
    slot.batch.segments.push({ fileId, path, firstLine, lineCount });
    slot.batch.rows += lineCount;
    slot.batch.bytes += bytes.length;
    if (slot.batch.bytes >= FLUSH_BYTES) await this.startFlush(this.clean, layout, 'clean');
  }

  async addRow(layout: VpcLayout, fileId: number, line: number, values: readonly string[]) {
    const slot = this.slot(this.tolerant, layout);
    this.enter(slot.batch, fileId);
    const text = `${fileId} ${line} ${values.join(' ')}\n`;
    slot.batch.pending.push(text);
    slot.batch.pendingChars += text.length;
    if (slot.batch.pendingChars >= PENDING_CHARS) writePending(slot.batch);
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
      slot = {
        layout,
        batch: {
          path,
          files: new Set(),
          fd: openSync(path, 'w'),
          bytes: 0,
          rows: 0,
          segments: [],
          pending: [],
          pendingChars: 0,
        },
      };
      map.set(key, slot);
    }
    return slot;
  }

  /**
   * Hands the batch to DuckDB while the caller goes on reading. Flushes run one after another on the
   * one connection (they share its temp tables); the caller waits only for the flush before this one,
   * which bounds the batches in memory and on disk to two.
   */
  private async startFlush(
    map: Map<string, { layout: VpcLayout; batch: Batch }>,
    layout: VpcLayout,
    kind: 'clean' | 'tolerant',
  ): Promise<void> {
    const key = layout.fields.join(' ');
    const slot = map.get(key);
    if (!slot) return;
    map.delete(key);
    writePending(slot.batch);
    closeSync(slot.batch.fd);
    const previous = this.inFlight;
    const load = () =>
      kind === 'clean' ? this.loadClean(layout, slot.batch) : this.loadTolerant(layout, slot.batch);
    // chained synchronously: two callers can never run loads side by side
    this.inFlight = previous.then(load);
    // a failure surfaces at the next flush or in finish(), not as an unhandled rejection
    this.inFlight.catch(() => undefined);
    await previous;
  }

  private csvColumns(layout: VpcLayout, withLine: boolean, staging: Staging = 'text'): string {
    const columns = layout.fields.map((name, index) => `'f${index}': '${columnType(name, staging)}'`);
    if (withLine) columns.unshift(`'fh_file_id': 'INTEGER'`, `'fh_line': 'BIGINT'`);
    return `{${columns.join(', ')}}`;
  }

  private readCsv(path: string, columns: string, staging: Staging = 'text'): string {
    // typed: '-' is NULL, and a value that is not of its column's type fails the whole read
    const nulls = staging === 'typed' ? `, nullstr = '-'` : '';
    return `read_csv(${SQL_STRING(path)}, delim = ' ', header = false, auto_detect = false, quote = '',
      escape = '', new_line = '\\n', columns = ${columns}${nulls})`;
  }

  /**
   * The fast way in for a clean batch: DuckDB's reader parses and types the values itself, with no
   * text staging and no casts. False, with nothing stored, when a value does not fit its type or a
   * row is not a valid record: the batch then goes the text way, which says what is wrong where.
   */
  private async loadTyped(layout: VpcLayout, batch: Batch): Promise<boolean> {
    const { store } = this;
    try {
      await store.run(
        `CREATE OR REPLACE TEMP TABLE fh_raw AS SELECT * FROM ${this.readCsv(batch.path, this.csvColumns(layout, false, 'typed'), 'typed')}`,
      );
    } catch {
      return false;
    }
    const [{ n }] = (await store.query<{ n: bigint }>('SELECT count(*) AS n FROM fh_raw')) as [{ n: bigint }];
    const loaded = Number(n) === batch.rows && (await this.transformBatch(layout, batch, 'typed'));
    await store.run('DROP TABLE IF EXISTS fh_raw');
    return loaded;
  }

  private async loadClean(layout: VpcLayout, batch: Batch): Promise<void> {
    const { store } = this;
    if (await this.loadTyped(layout, batch)) {
      rmSync(batch.path, { force: true });
      return;
    }
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
      // its lines now wait in tolerant batches (entered there by the replay before this returns)
      await this.loaded(batch, []);
      return;
    }
    rmSync(batch.path, { force: true });
    await this.transformBatch(layout, batch, 'text');
    await store.run('DROP TABLE fh_raw');
  }

  /** Transforms fh_raw, the batch as read, with each row's file and line; false when typed staging gave up. */
  private async transformBatch(layout: VpcLayout, batch: Batch, staging: Staging): Promise<boolean> {
    const { store } = this;
    // Row positions map back to (file, line) through a binary search written as nested CASEs: a few
    // comparisons per row, where a join against the segment list would sort the whole batch.
    let rowStart = 0;
    const starts = batch.segments.map((segment) => {
      const at = { rowStart, segment };
      rowStart += segment.lineCount;
      return at;
    });
    const fileId = segmentCase(starts, (s) => String(s.segment.fileId));
    const line = segmentCase(starts, (s) => `rowid - ${s.rowStart} + ${s.segment.firstLine}`);
    // a view: materialising the line numbers would copy the whole batch once more
    await store.run(`CREATE OR REPLACE TEMP VIEW fh_staged AS
      SELECT (${fileId})::INTEGER AS fh_file_id, (${line})::BIGINT AS fh_line, * FROM fh_raw`);
    const done = await this.transform(layout, 'fh_staged', batch, staging);
    await store.run('DROP VIEW fh_staged');
    return done;
  }

  private async loadTolerant(layout: VpcLayout, batch: Batch): Promise<void> {
    await this.store.run(
      `CREATE OR REPLACE TEMP TABLE fh_raw AS SELECT * FROM ${this.readCsv(batch.path, this.csvColumns(layout, true))}`,
    );
    rmSync(batch.path, { force: true });
    await this.transform(layout, 'fh_raw', batch);
  }

  /** False when typed staging gave up on the batch (nothing stored then). */
  private async transform(
    layout: VpcLayout,
    source: string,
    batch: Batch,
    staging: Staging = 'text',
  ): Promise<boolean> {
    const { store } = this;
    let completed: number[] = [];
    const beforeCommit = async (connection: DuckDBConnection) => {
      // decided at the last moment: a file may have been read to its end while the batch loaded
      completed = this.completedBy(batch);
      if (completed.length > 0) await this.commitFiles(connection, completed);
    };
    const found = await store.exclusive(() =>
      staging === 'typed'
        ? transformTyped(store.connection, layout, source, beforeCommit)
        : transformStaged(store.connection, layout, source, beforeCommit),
    );
    if (!found) return false;
    mergeCounts(this.counts, found);
    if (completed.length > 0) this.committed(completed);
    await this.loaded(batch, completed);
    return true;
  }
}

/** A CASE over `rowid` that picks the segment holding the row by bisection and evaluates `leaf` for it. */
function segmentCase(
  starts: readonly { rowStart: number; segment: Segment }[],
  leaf: (s: { rowStart: number; segment: Segment }) => string,
): string {
  if (starts.length === 1) return leaf(starts[0] as { rowStart: number; segment: Segment });
  const middle = Math.floor(starts.length / 2);
  const pivot = (starts[middle] as { rowStart: number }).rowStart;
  return `CASE WHEN rowid < ${pivot} THEN ${segmentCase(starts.slice(0, middle), leaf)} ELSE ${segmentCase(starts.slice(middle), leaf)} END`;
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

/** The type DuckDB's reader gives a field's column: text for the careful path, the value's own type for the typed one. */
function columnType(name: string | null, staging: Staging): string {
  if (staging === 'text' || name === null) return 'VARCHAR';
  const kind = vpcField(name)?.kind;
  return kind === 'int' ? 'UBIGINT' : kind === 'time' ? 'DOUBLE' : 'VARCHAR';
}
