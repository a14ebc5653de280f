import { SingleBar } from 'cli-progress';

/**
 * Feedback on long work, on standard error (standard output carries only results): a bar on a
 * terminal, a line every few seconds otherwise (CI logs, pipes), nothing with --quiet.
 */
export interface Progress {
  /** a file was read: `done` of `total` */
  file(done: number, total: number, path: string): void;
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
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    return {
      file(done, total, path) {
        if (!bar) {
          bar = new SingleBar({
            stream,
            format: 'reading  {bar} {value}/{total} files  {percentage}%  ETA {eta_formatted}  {file}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          });
          bar.start(total, 0, { file: '' });
        }
        bar.update(done, { file: shorten(path, 40) });
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
    file(done, total) {
      const now = Date.now();
      if (now - last < LINE_EVERY_MS && done < total) return;
      last = now;
      stream.write(
        `flowhawk: read ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} files, ${seconds()}\n`,
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
