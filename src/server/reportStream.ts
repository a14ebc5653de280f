import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { Readable } from 'node:stream';
import type { ServerLog } from './context.js';
import { HttpError } from './httpError.js';
import { forkServerModule } from './workerProcess.js';

/** What a failing renderer said: enough for its reason, bounded so a flood of output cannot grow the server. */
const STDERR_KEPT = 4000;

/**
 * Starts a report's rendering in a child process (reportWorker.ts) and waits for its first bytes,
 * since the status line goes out with them. A renderer that fails before then is an HttpError 500
 * naming why. One that fails later makes the returned stream error, on which Fastify destroys the
 * connection: the client sees a cut-off transfer, never a complete-looking download of part of a report.
 */
export async function startRendering(
  args: string[],
  what: string,
  log: ServerLog,
  /** aborted when the client goes away: the renderer is stopped */
  signal: AbortSignal,
): Promise<Readable> {
  const child = forkServerModule('reportWorker', args, [
    'ignore',
    'pipe',
    'pipe',
    'ipc',
  ]) as ChildProcessWithoutNullStreams;
  const { stdout, stderr } = child;
  let said = '';
  stderr.on('data', (chunk: Buffer) => {
    if (said.length < STDERR_KEPT) said += chunk.toString();
  });
  // 'close' comes after the child's output has ended too, so `said` is complete by then
  const failure = new Promise<string | undefined>((resolve) => {
    child.once('close', (code, killedBy) => {
      if (code === 0) resolve(undefined);
      else
        resolve(
          firstLine(said) ?? (killedBy ? `the renderer was killed (${killedBy})` : `exit code ${code}`),
        );
    });
  });
  signal.addEventListener('abort', () => child.kill(), { once: true });
  const first = await firstChunk(stdout);
  if (first === null) {
    const why = await failure;
    if (why !== undefined) {
      // a client that went away stopped it: nothing failed, and no one is left to answer
      if (!signal.aborted) log(`could not render ${what}: ${why}`);
      throw new HttpError(
        500,
        `could not render ${what}: ${why}`,
        'the server log says the same; re-run the job to write its result again',
      );
    }
    return Readable.from([]);
  }
  async function* rest(firstBytes: Buffer) {
    yield firstBytes;
    for await (const chunk of stdout) yield chunk as Buffer;
    const why = await failure;
    if (why !== undefined) {
      if (!signal.aborted)
        log(`${what} failed after its first bytes were sent, so the download was cut off: ${why}`);
      throw new Error(`rendering failed: ${why}`);
    }
  }
  return Readable.from(rest(first), { objectMode: false });
}

/** The first bytes of a stream, or null when it ends with none. */
function firstChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) return;
      stream.off('readable', onReadable).off('end', onEnd);
      resolve(chunk);
    };
    const onEnd = () => {
      stream.off('readable', onReadable);
      resolve(null);
    };
    stream.on('readable', onReadable).once('end', onEnd);
  });
}

function firstLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '');
}
