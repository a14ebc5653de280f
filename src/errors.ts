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
