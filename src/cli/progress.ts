import { SingleBar } from 'cli-progress';
import type { FileProgress } from '../ingest/ingest.js';

/**
 * Feedback on long work, on standard error (standard output carries only results): a bar on a
 * terminal, a line every few seconds otherwise (CI logs, pipes), nothing with --quiet.
 */
export interface Progress {
  /** a file was read */
  file(progress: FileProgress): void;
  /** a new stage began (e.g. analysis) */
  stage(text: string): void;
  stop(): void;
}

const LINE_EVERY_MS = 5000;

export function progressReporter(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { file: () => {}, stage: () => {}, stop: () => {} };
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const rate = (bytes: number) =>
    `${(bytes / 1e6 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1)} MB/s`;
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    return {
      file(p) {
        if (!bar) {
          bar = new SingleBar({
            stream,
            format:
              'reading  {bar} {percentage}%  {files} files  {mb} MB  {rate}  ETA {eta_formatted}  {file}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          });
          bar.start(Math.max(1, p.bytesTotal), 0, { file: '', files: '', mb: '', rate: '', records: '' });
        }
        bar.update(p.bytesDone, {
          file: shorten(p.path, 40),
          files: `${p.done}/${p.total}`,
          mb: `${mb(p.bytesDone)}/${mb(p.bytesTotal)}`,
          rate: rate(p.bytesDone),
          records: p.recordsStored.toLocaleString('en-US'),
        });
      },
      stage(text) {
        bar?.stop();
        bar = undefined;
        stream.write(`${text} (${seconds()} so far)\n`);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let last = 0;
  return {
    file(p) {
      const now = Date.now();
      if (now - last < LINE_EVERY_MS && p.done < p.total) return;
      last = now;
      const share = p.bytesTotal > 0 ? Math.round((100 * p.bytesDone) / p.bytesTotal) : 100;
      stream.write(
        `flowhawk: read ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} files, ${mb(p.bytesDone)} of ${mb(p.bytesTotal)} MB (${share}%), ${p.recordsStored.toLocaleString('en-US')} records stored, ${rate(p.bytesDone)}, ${seconds()}\n`,
      );
    },
    stage(text) {
      stream.write(`flowhawk: ${text}, ${seconds()}\n`);
    },
    stop() {},
  };
}

/** The end of a long path, which is the part that tells files apart. */
function shorten(path: string, width: number): string {
  return path.length <= width ? path : `…${path.slice(path.length - width + 1)}`;
}
