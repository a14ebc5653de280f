import { InterruptedError } from '../errors.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Ctrl-C and SIGTERM as an AbortSignal for a command that writes a workspace: the first one asks the
 * run to stop cleanly (commit what was read completely, remove what was not); a second one exits at
 * once, which loses nothing either, since the next run removes what an unfinished file left.
 * `dispose` restores the default handlers.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      if (controller.signal.aborted) {
        process.stderr.write(`flowhawk: ${name} again: stopping now\n`);
        process.exit(new InterruptedError(name, '').exitCode);
      }
      process.stderr.write(
        `flowhawk: ${name}: stopping after the current batch (again to stop at once; nothing stored is lost)\n`,
      );
      controller.abort(name);
    };
    process.on(name, handler);
    return { name, handler };
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const { name, handler } of handlers) process.off(name, handler);
    },
  };
}
