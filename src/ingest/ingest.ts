import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readArgusBinetflow } from '../readers/argusBinetflow.js';
import { decodeStream, openRaw, peek } from '../readers/byteSource.js';
import { readCloudWatch } from '../readers/cloudwatch.js';
import type { RecordSink } from '../readers/recordSink.js';
import { type InputFormat, sniffFormat } from '../readers/sniff.js';
import { DEFAULT_V2_LAYOUT, type VpcLayout } from '../readers/vpcText.js';
import { readLines, readVpcText } from '../readers/vpcTextReader.js';
import { readZeekConn } from '../readers/zeekConn.js';
import type { DuckdbStore } from '../store/duckdbStore.js';
import { loadParquet } from '../store/parquetLoader.js';
import { VpcLoader } from '../store/vpcLoader.js';
import { expandInputs, type InputFile } from './inputFiles.js';
import { s3PathFacts } from './s3Path.js';
import { type IngestSummary, IngestTally, summarise } from './summary.js';

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
}

/** Files read at once: decompression of one overlaps parsing of the other. */
const CONCURRENT_FILES = 2;

/**
 * Reads every input into the store: sources → readers → the canonical tables. Files already in the
 * store (same content hash) are skipped, so running twice on the same logs adds nothing.
 */
export async function ingest(store: DuckdbStore, paths: readonly string[], options: IngestOptions = {}) {
  const started = performance.now();
  const files = await expandInputs(paths);
  const tally = new IngestTally();
  const meta = await store.connect();
  const loader = new VpcLoader(store, async (layout, segment, bytes) => {
    await readLines(bytes, segment.firstLine, layout, sinkFor(segment.fileId, segment.path));
  });
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
        : stat(f.path).then(
            (s) => s.size,
            () => 0,
          ),
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
  const fileDone = (index: number, path: string) => {
    bytesDone += sizes[index] ?? 0;
    options.onFile?.({
      done: ++done,
      total: files.length,
      path,
      bytesDone,
      bytesTotal,
      recordsStored: stored(),
    });
  };
  // two copies of one file in a single run: the second must see the first before it is registered
  const hashesThisRun = new Map<string, string>();
  const worker = async () => {
    while (cursor < files.length) {
      const index = cursor++;
      const { path: given, walked } = files[index] as InputFile;
      const path = given === '-' ? await spoolStdin(store.scratchDir) : given;
      const shown = given === '-' ? '-' : given;
      const { sha256, size, head: rawHead } = await readFileFacts(path);
      const known = await meta.runAndReadAll('SELECT path FROM ingested_files WHERE sha256 = $1', [sha256]);
      const sameAs = hashesThisRun.get(sha256) ?? (known.getRowObjects()[0]?.path as string | undefined);
      if (sameAs !== undefined) {
        tally.skipped.push({ path: shown, reason: 'already ingested (same content)', sameAs });
      } else {
        hashesThisRun.set(sha256, shown);
        const raw = openRaw(path);
        const { head, stream } = await peek(decodeStream(raw));
        const format: InputFormat = sniffFormat(rawHead, head, options.layout);
        if (format === 'unknown' && walked) {
          // a README or a stray download beside the logs: say so, but do not flood the bad-line report
          raw.destroy();
          tally.skipped.push({
            path: shown,
            reason: 'not recognised as a flow log (no header, first line is no record)',
          });
          fileDone(index, shown);
          continue;
        }
        // ids follow the order of the inputs, not which of the concurrent readers got there first
        const fileId = firstId + index;
        const facts = s3PathFacts(shown);
        await meta.run('INSERT INTO ingested_files VALUES ($1, $2, $3, $4, $5, $6, $7, current_timestamp)', [
          fileId,
          shown,
          sha256,
          format,
          size,
          facts.accountId ?? null,
          facts.region ?? null,
        ]);
        tally.fileStarted(fileId, shown, format);
        const sink = sinkFor(fileId, shown);
        const layout = options.layout ?? DEFAULT_V2_LAYOUT;
        if (format === 'parquet') {
          raw.destroy();
          const loaded = await loadParquet(store, fileId, path, sink);
          if (loaded.layout) tally.noteLayout(loaded.layout);
          tally.addCounts(loaded.counts);
        } else if (format === 'json' || format === 'cloudwatch-export') {
          await readCloudWatch(stream, sink, { layout, format });
        } else if (format === 'zeek-conn') {
          await readZeekConn(stream, sink);
        } else if (format === 'argus-binetflow') {
          const { utcOffsetMinutes } = options;
          await readArgusBinetflow(stream, sink, utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes });
        } else {
          if (format === 'unknown')
            tally.warn(`${shown}: does not look like a flow log; its lines are reported as bad`);
          await readVpcText(stream, sink, { layout });
        }
      }
      fileDone(index, shown);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENT_FILES }, worker));
    await loader.finish();
    tally.addCounts(loader.counts);
  } finally {
    meta.closeSync();
  }
  return summarise(store, tally, performance.now() - started);
}

export type { IngestSummary };

/** One pass over the stored bytes: content hash, size and the first bytes (for the Parquet magic). */
async function readFileFacts(path: string): Promise<{ sha256: string; size: number; head: Buffer }> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    if (head.length < 16) head = Buffer.concat([head, bytes.subarray(0, 16 - head.length)]);
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size, head };
}

/** Standard input is copied to the scratch directory first, so it is hashed and read like any file. */
async function spoolStdin(scratchDir: string): Promise<string> {
  const path = join(scratchDir, 'stdin');
  await pipeline(process.stdin, createWriteStream(path));
  return path;
}
