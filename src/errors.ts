/**
 * The one error type flowhawk raises on purpose: a code scripts can match, what went wrong and where,
 * and what the user can do about it.
 */
export class FlowhawkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'FlowhawkError';
  }

  /** Exit status for the CLI: 2 for usage errors, 3 for anything about the input. */
  get exitCode(): number {
    return this.code === 'USAGE' ? 2 : 3;
  }
}

/** Exit statuses of a run stopped by a signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** A run stopped by the user (Ctrl-C, SIGTERM) after putting the store in order. */
export class InterruptedError extends FlowhawkError {
  constructor(
    readonly signal: string,
    message: string,
    hint?: string,
  ) {
    super('INTERRUPTED', message, hint);
  }

  override get exitCode(): number {
    return SIGNAL_EXIT[this.signal] ?? 130;
  }
}
