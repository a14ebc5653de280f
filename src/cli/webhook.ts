import { FlowhawkError } from '../errors.js';

/** Attempts per POST, and the wait before the second (doubled before each later one). */
const ATTEMPTS = 3;
const FIRST_RETRY_MS = 1000;
/** A receiver slower than this is taken as down: a watch must not hang on it. */
const TIMEOUT_MS = 10_000;

/** The --webhook URL, checked before the first poll. */
export function webhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FlowhawkError('USAGE', `--webhook ${text} is not a URL`, 'write http(s)://host[:port]/path');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FlowhawkError(
      'USAGE',
      `--webhook ${text}: not http or https`,
      'write http(s)://host[:port]/path',
    );
  }
  return url;
}

/**
 * POSTs `body` as JSON, retrying a refused connection, a timeout or a non-2xx answer with backoff.
 * Resolves to undefined once delivered, or to what went wrong on the last attempt: the caller warns
 * and carries on, since the findings are in the NDJSON output whatever the receiver does.
 */
export async function postJson(url: URL, body: unknown): Promise<string | undefined> {
  const text = JSON.stringify(body);
  let problem = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await answer.arrayBuffer().catch(() => undefined);
      if (answer.ok) return undefined;
      problem = `HTTP ${answer.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      problem = cause ?? (error as Error).name ?? String(error);
    }
    if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, FIRST_RETRY_MS * 2 ** (attempt - 1)));
  }
  return `${problem}, after ${ATTEMPTS} attempts`;
}
