import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FlowhawkError } from '../errors.js';
import { type DecodedStream, peek } from '../readers/decodedStream.js';
import { readerFor } from '../readers/index.js';
import type { RecordSink } from '../readers/recordSink.js';
import { type InputFormat, sniffFormat } from '../readers/sniff.js';
import { DEFAULT_V2_LAYOUT, type VpcLayout } from '../readers/vpcText.js';
import { readLines, vpcTextReader } from '../readers/vpcTextReader.js';
import type { IngestSummary } from '../report.js';
import type { DuckdbStore } from '../store/duckdbStore.js';
import { DecodedSizeError, decodeStream, isGzip, openRaw, reopenFile } from './byteSource.js';
import { abandon, insertBadLines } from './fileCommits.js';
import { readFileFacts, spoolStdin } from './fileFacts.js';
import { unreadableReason } from './inputFiles.js';
import { loadParquet, parquetDataBytes } from './parquetLoader.js';
import { s3PathFacts } from './s3Path.js';
import { expandSources, type S3SourceOptions, type SourceFile } from './sourceInputs.js';
import { AbortedRead, abortable, interrupted } from './stopping.js';
import { dropReplaced, planObjects, rewrittenAsKnown } from './storedObjects.js';
import { IngestTally, summarise } from './summary.js';
import { type CommitFiles, VpcLoader } from './vpcLoader.js';

/** Where a run is, after each file: for progress displays. */
export interface FileProgress {
  done: number;
  total: number;
  path: string;
  /** stored bytes (compressed, as on disk) of the files done, and of all of them */
  bytesDone: number;
  bytesTotal: number;
  /** flow records stored so far: they reach the store in batches, so this trails the bytes */
  recordsStored: number;
}

export interface IngestOptions {
  /** field order for inputs without a header line; the default v2 format otherwise */
  layout?: VpcLayout;
  /**
   * minutes east of UTC for inputs whose times carry no zone (Argus binetflow), e.g. 120 for +02:00
   * (see parseUtcOffset); UTC with a warning when not given
   */
  utcOffsetMinutes?: number;
  /** called after each file with the running totals (progress display) */
  onFile?: (progress: FileProgress) => void;
  /** called every `tickMs` while files are read, with the same totals: a large file shows records growing */
  onTick?: (progress: FileProgress) => void;
  /** default TICK_MS */
  tickMs?: number;
  /**
   * a gzip-bomb guard: a file that decodes to more bytes than this (gunzipped bytes; the size of plain
   * text; the uncompressed column data of Parquet) makes ingest reject with an INPUT_TOO_LARGE error,
   * without decoding the rest. No cap when not given.
   */
  maxDecompressedBytes?: number;
  /**
   * the name a file is shown and recorded under (ingested_files.path, evidence, bad lines, messages,
   * progress, the account and region its S3-style name implies) when its path on disk means nothing,
   * as for uploads stored under generated names; the path as given when not given
   */
  displayName?: (path: string) => string;
  /**
   * stops the run: no file is started, the files being read stop at their next chunk and are removed,
   * what was read completely is committed; ingest then rejects with an InterruptedError naming the
   * signal (the abort reason, e.g. 'SIGINT')
   */
  signal?: AbortSignal;
  /** called when a file is opened to be read */
  onStart?: (path: string) => void;
  /** called once a file is stored completely (its rows, bad lines and log-health facts committed) */
  onStored?: (file: StoredFile) => void;
  /** for s3:// inputs: credentials profile, endpoint, and which objects to list (time window, accounts, regions) */
  s3?: S3SourceOptions;
}

export interface StoredFile {
  path: string;
  records: number;
}

/** How often onTick is called by default. */
const TICK_MS = 1000;

/** Files read at once: decompression of one overlaps parsing of the other. */
const CONCURRENT_FILES = 2;

/**
 * Reads every input into the store: sources → readers → the canonical tables. Files already in the
 * store (same content hash) are skipped, so running twice on the same logs adds nothing.
 */
export async function ingest(store: DuckdbStore, paths: readonly string[], options: IngestOptions = {}) {
  const started = performance.now();
  const sources = await expandSources(paths, options.s3 ?? {}, store.scratchDir, options.signal);
  const { unreadable, downloads } = sources;
  const tally = new IngestTally();
  const meta = await store.connect();
  const nameOf = options.displayName ?? ((path: string) => path);
  // objects stored with the ETag and size listed are skipped here, before anything is downloaded
  const { files, unchanged, replaces } = await planObjects(meta, sources.files, nameOf);
  for (const file of unchanged)
    tally.skipped.push({ path: nameOf(file.path), reason: 'already ingested (same ETag and size)' });
  /** per file being read, the stored files of the older version it replaces once committed */
  const replacing = new Map<number, number[]>();
  const committedSoFar = { files: 0, records: 0 };
  const commitFiles: CommitFiles = async (connection, fileIds) => {
    await insertBadLines(connection, tally.takeReaderBadLines(fileIds));
    await dropReplaced(
      connection,
      fileIds.flatMap((id) => replacing.get(id) ?? []),
    );
    await connection.run(
      `UPDATE ingested_files SET complete = true WHERE file_id IN (${fileIds.join(', ')})`,
    );
  };
  const committed = (fileIds: readonly number[]) => {
    for (const id of fileIds) {
      const records = (loader.counts.get(id)?.flow ?? 0) + (tally.files.get(id)?.records ?? 0);
      committedSoFar.files++;
      committedSoFar.records += records;
      options.onStored?.({ path: tally.files.get(id)?.path ?? String(id), records });
    }
  };
  const loader = new VpcLoader(
    store,
    async (layout, segment, bytes) => {
      await readLines(bytes, segment.firstLine, layout, sinkFor(segment.fileId, segment.path));
    },
    commitFiles,
    committed,
  );
  if (store.interruptedFiles.length > 0) {
    const n = store.interruptedFiles.length;
    tally.warn(
      `${n} file(s) that an interrupted run had not finished were removed from the workspace, to be read again: ${store.interruptedFiles.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''}`,
    );
  }
  const sinkFor = (fileId: number, path: string): RecordSink => ({
    cleanChunk: (layout, firstLine, lineCount, bytes) => {
      tally.noteLayout(layout);
      return loader.addCleanChunk(layout, fileId, path, firstLine, lineCount, bytes);
    },
    row: (layout, line, values) => {
      tally.noteLayout(layout);
      return loader.addRow(layout, fileId, line, values);
    },
    badLine: (line, reason, excerpt) => tally.badLine(fileId, path, line, reason, excerpt),
    header: () => tally.headers++,
    warn: (message) => tally.warn(`${path}: ${message}`),
  });

  const firstId =
    1 +
    Number(
      ((
        await meta.runAndReadAll('SELECT coalesce(max(file_id), 0) AS n FROM ingested_files')
      ).getRowObjects()[0]?.n as number) ?? 0,
    );
  let cursor = 0;
  let done = 0;
  const sizes = await Promise.all(
    files.map((f) =>
      f.path === '-'
        ? 0
        : (f.size ??
          stat(f.path).then(
            (s) => s.size,
            () => 0,
          )),
    ),
  );
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);
  let bytesDone = 0;
  const stored = () => {
    let n = 0;
    for (const kinds of loader.counts.values()) n += kinds.flow ?? 0;
    for (const file of tally.files.values()) n += file.records;
    return n;
  };
  let current = '';
  const totals = (path: string): FileProgress => ({
    done,
    total: files.length,
    path,
    bytesDone,
    bytesTotal,
    recordsStored: stored(),
  });
  const fileDone = (index: number, path: string) => {
    bytesDone += sizes[index] ?? 0;
    done++;
    options.onFile?.(totals(path));
  };
  const onTick = options.onTick;
  const ticker = onTick ? setInterval(() => onTick(totals(current)), options.tickMs ?? TICK_MS) : undefined;
  // two copies of one file in a single run: the second must see the first before it is registered
  const hashesThisRun = new Map<string, string>();
  for (const u of unreadable) tally.unreadable.push({ ...u, path: nameOf(u.path) });
  const cap = options.maxDecompressedBytes;
  const readNew = async (index: number, path: string, shown: string, raw: Readable, facts: NewFile) => {
    const { head, stream } = await peek(decodeStream(raw, cap, reopenFile(path)));
    const format: InputFormat = sniffFormat(facts.head, head, options.layout);
    if (format === 'unknown' && facts.walked) {
      // a README or a stray download beside the logs: say so, but do not flood the bad-line report
      raw.destroy();
      tally.skipped.push({
        path: shown,
        reason: 'not recognised as a flow log (no header, first line is no record)',
      });
      return;
    }
    // checked before the file is registered, when its size is known without decoding it
    if (cap !== undefined && ((await knownDecodedBytes(meta, format, path, facts)) ?? 0) > cap) {
      throw new DecodedSizeError(cap);
    }
    // ids follow the order of the inputs, not which of the concurrent readers got there first
    const fileId = firstId + index;
    const s3 = s3PathFacts(shown);
    // complete = false until its last rows are committed: a run cut short leaves it to be read again
    await meta.run(
      'INSERT INTO ingested_files VALUES ($1, $2, $3, $4, $5, $6, $7, current_timestamp, false, $8)',
      [fileId, shown, facts.sha256, format, facts.size, s3.accountId ?? null, s3.region ?? null, facts.etag],
    );
    const older = replaces.get(shown);
    if (older) replacing.set(fileId, older);
    tally.fileStarted(fileId, shown, format);
    const sink = sinkFor(fileId, shown);
    if (format === 'parquet') {
      raw.destroy();
      const loaded = await loadParquet(store, fileId, path, sink);
      if (loaded.layout) tally.noteLayout(loaded.layout);
      tally.addCounts(loaded.counts);
      await loader.fileRead(fileId);
      return;
    }
    if (format === 'unknown')
      tally.warn(`${shown}: does not look like a flow log; its lines are reported as bad`);
    await readText(format, abortable(stream, options.signal), sink, options);
    await loader.fileRead(fileId);
  };
  /** The file on disk to read: stdin spooled, an object downloaded; undefined for an object refused. */
  const localPath = async (file: SourceFile, shown: string): Promise<string | undefined> => {
    if (file.path === '-') return spoolStdin(store.scratchDir);
    if (!file.s3 || !downloads) return file.path;
    const fetched = await downloads.fetch(file, files.slice(cursor));
    if ('path' in fetched) return fetched.path;
    tally.unreadable.push({ path: shown, reason: fetched.refused.reason });
    return undefined;
  };
  const readOne = async (index: number) => {
    const file = files[index] as SourceFile;
    try {
      await readSource(index, file);
    } finally {
      if (file.s3) await downloads?.release(file);
    }
  };
  const readSource = async (index: number, file: SourceFile) => {
    const { path: given, walked } = file;
    const shown = nameOf(given);
    current = shown;
    options.onStart?.(shown);
    const path = await localPath(file, shown);
    if (path === undefined) return fileDone(index, shown);
    // a file that can be listed but not opened (mode 0000) is reported, and the run goes on
    const facts = await readFileFacts(path).catch((error: unknown) => {
      const reason = unreadableReason(error);
      if (reason === undefined) throw error;
      tally.unreadable.push({ path: shown, reason });
    });
    if (!facts) return fileDone(index, shown);
    const { sha256, size, head } = facts;
    const known = await meta.runAndReadAll('SELECT path FROM ingested_files WHERE sha256 = $1', [sha256]);
    const sameAs = hashesThisRun.get(sha256) ?? (known.getRowObjects()[0]?.path as string | undefined);
    const etag = file.s3?.object.etag ?? null;
    if (sameAs !== undefined) {
      tally.skipped.push({ path: shown, reason: 'already ingested (same content)', sameAs });
      await rewrittenAsKnown(meta, replaces.get(shown), sameAs === shown, etag, size);
    } else {
      hashesThisRun.set(sha256, shown);
      const raw = openRaw(path);
      try {
        await readNew(index, path, shown, raw, { sha256, size, head, walked, etag });
      } catch (error) {
        raw.destroy();
        throw error instanceof DecodedSizeError ? tooLarge(shown, error.maxBytes) : error;
      }
    }
    fileDone(index, shown);
  };
  // after a failure no file is started: the other reader finishes its own, then the run stops
  const failed: number[] = [];
  let failure: unknown;
  const worker = async () => {
    while (cursor < files.length && failed.length === 0 && !options.signal?.aborted) {
      const index = cursor++;
      try {
        await readOne(index);
      } catch (error) {
        if (failed.length === 0) failure = error;
        failed.push(firstId + index);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENT_FILES }, worker));
    // the files read completely stay in, buffered rows included; a failed one must not look ingested
    if (failed.length > 0) {
      await abandon(loader, meta, failed);
      throw failure instanceof AbortedRead
        ? interrupted(options.signal, committedSoFar, files.length)
        : failure;
    }
    if (options.signal?.aborted) {
      await loader.finish();
      throw interrupted(options.signal, committedSoFar, files.length);
    }
    await loader.finish();
    tally.addCounts(loader.counts);
  } finally {
    clearInterval(ticker);
    await downloads?.close();
    meta.closeSync();
  }
  return summarise(store, tally, performance.now() - started);
}

export type { IngestSummary };

/** Hands a decoded text stream (every format but Parquet) to its reader's card. */
async function readText(
  format: InputFormat,
  stream: DecodedStream,
  sink: RecordSink,
  options: IngestOptions,
) {
  // an input no reader claims is read as VPC text, so that each of its lines is reported as bad
  const read = (format === 'unknown' ? vpcTextReader : readerFor(format))?.readText;
  if (!read) throw new Error(`no text reader for ${format}`);
  const { utcOffsetMinutes } = options;
  await read(stream, sink, {
    layout: options.layout ?? DEFAULT_V2_LAYOUT,
    ...(utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes }),
  });
}

/** What readFileFacts found, whether a directory walk (not the user) named the file, an object's ETag. */
interface NewFile {
  sha256: string;
  size: number;
  head: Buffer;
  walked: boolean;
  etag: string | null;
}

/** Decoded size known without decoding: the size on disk for plain bytes, the footer's sum for Parquet. */
async function knownDecodedBytes(
  meta: DuckDBConnection,
  format: InputFormat,
  path: string,
  facts: NewFile,
): Promise<number | undefined> {
  if (format === 'parquet') return parquetDataBytes(meta, path);
  return isGzip(facts.head) ? undefined : facts.size;
}

function tooLarge(shown: string, maxBytes: number): FlowhawkError {
  return new FlowhawkError(
    'INPUT_TOO_LARGE',
    `${shown}: more than ${binaryBytes(maxBytes)} decompressed, the most allowed; the file was not ingested`,
    "a gzip bomb, or a file larger than the server's --max-decompressed-size; raise the cap if the file is genuine",
  );
}

const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

function binaryBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${BINARY_UNITS[unit]}`;
}
