/**
 * The API client: every call goes through `apiFetch`, which adds the bearer token when one is known
 * and, on a 401, asks for the token (the prompt is shared by calls that fail together), keeps it in
 * sessionStorage and retries. Errors become `ApiError` with the server's `{error, hint}` text.
 */
import type { AllowlistEntry } from '../src/config/config.js';
import type { PortChart } from '../src/detectors/define.js';
import type { Finding } from '../src/finding.js';
import type {
  ApiError as ApiErrorBody,
  FindingsPage,
  Job,
  JobList,
  JobOverview,
  S3JobRequest,
  ServerInfo,
} from '../src/server/apiTypes.js';

const TOKEN_KEY = 'flowhawk.token';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Shows the token form; resolves with what the user typed. `rejected`: the last token was refused. */
export type TokenPrompt = (rejected: boolean) => Promise<string>;

let tokenPrompt: TokenPrompt | null = null;
let pendingPrompt: Promise<void> | null = null;

export function setTokenPrompt(prompt: TokenPrompt): void {
  tokenPrompt = prompt;
}

export function currentToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the token lives as long as this call chain, and is asked again next time
  }
}

/**
 * Called after a 401 for a request sent with `sentToken`: when another prompt already changed the
 * token, the caller just retries; otherwise the user is asked (once for all waiting calls).
 */
export async function requireToken(sentToken: string | null): Promise<void> {
  if (pendingPrompt) return pendingPrompt;
  if (currentToken() !== sentToken) return;
  if (!tokenPrompt) throw new ApiError('This server needs an access token.', 401);
  const prompt = tokenPrompt;
  pendingPrompt ??= prompt(sentToken !== null)
    .then((token) => storeToken(token.trim()))
    .finally(() => {
      pendingPrompt = null;
    });
  await pendingPrompt;
}

export function authHeaders(headers?: HeadersInit): Headers {
  const out = new Headers(headers);
  const token = currentToken();
  if (token) out.set('Authorization', `Bearer ${token}`);
  return out;
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const sent = currentToken();
    const res = await fetch(path, { ...init, headers: authHeaders(init.headers), cache: 'no-store' });
    if (res.status !== 401) return res;
    await res.body?.cancel();
    await requireToken(sent);
  }
}

/** The error a failed response carries: its JSON `{error, hint}`, else its status line. */
export async function errorFrom(res: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> | null = null;
  try {
    body = (await res.json()) as Partial<ApiErrorBody>;
  } catch {
    body = null;
  }
  const message =
    body && typeof body.error === 'string' && body.error !== ''
      ? body.error
      : `The server answered ${res.status} ${res.statusText}`.trim();
  return new ApiError(message, res.status, typeof body?.hint === 'string' ? body.hint : undefined);
}

async function json<T>(
  path: string,
  init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {},
): Promise<T> {
  const res = await apiFetch(path, { ...init, headers: { Accept: 'application/json', ...init.headers } });
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

export interface DetectorInfo {
  id: string;
  title: string;
  severity: string;
  attack: string[];
  /** how the detector's findings' port-coverage chart is read; absent: they get none */
  portChart?: PortChart;
}

export interface FindingsQuery {
  severity?: readonly string[];
  detector?: string;
  actor?: string;
  q?: string;
  suppressed?: boolean;
  limit?: number;
  offset?: number;
}

export function findingsSearch(query: FindingsQuery): string {
  const p = new URLSearchParams();
  if (query.severity && query.severity.length > 0) p.set('severity', query.severity.join(','));
  if (query.detector) p.set('detector', query.detector);
  if (query.actor) p.set('actor', query.actor);
  if (query.q) p.set('q', query.q);
  if (query.suppressed) p.set('suppressed', 'true');
  if (query.limit !== undefined) p.set('limit', String(query.limit));
  if (query.offset !== undefined) p.set('offset', String(query.offset));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const api = {
  info: () => json<ServerInfo>('/api/info'),
  jobs: (signal?: AbortSignal) => json<JobList>('/api/jobs', { signal }),
  job: (id: string, signal?: AbortSignal) => json<Job>(`/api/jobs/${enc(id)}`, { signal }),
  deleteJob: (id: string) => json<void>(`/api/jobs/${enc(id)}`, { method: 'DELETE' }),
  rerun: (id: string, allowlist: AllowlistEntry[]) =>
    json<Job>(`/api/jobs/${enc(id)}/rerun`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowlist }),
    }),
  s3Job: (request: S3JobRequest) =>
    json<Job>('/api/jobs/s3', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    }),
  findings: (id: string, query: FindingsQuery, signal?: AbortSignal) =>
    json<FindingsPage>(`/api/jobs/${enc(id)}/findings${findingsSearch(query)}`, { signal }),
  finding: (id: string, findingId: string, signal?: AbortSignal) =>
    json<Finding>(`/api/jobs/${enc(id)}/findings/${enc(findingId)}`, { signal }),
  overview: (id: string, signal?: AbortSignal) =>
    json<JobOverview>(`/api/jobs/${enc(id)}/overview`, { signal }),
  detectors: () => json<{ detectors: DetectorInfo[] }>('/api/detectors'),
  report: async (id: string, format: string): Promise<Response> => {
    const res = await apiFetch(`/api/jobs/${enc(id)}/report?format=${enc(format)}`);
    if (!res.ok) throw await errorFrom(res);
    return res;
  },
  events: async (id: string, signal: AbortSignal): Promise<Response> => {
    const res = await apiFetch(`/api/jobs/${enc(id)}/events`, {
      headers: { Accept: 'text/event-stream' },
      signal,
    });
    if (!res.ok) throw await errorFrom(res);
    return res;
  },
};

/** The text to show for any error: the server's message and hint, or the browser's. */
export function errorText(err: unknown): { message: string; hint?: string } {
  if (err instanceof ApiError) return { message: err.message, hint: err.hint };
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}

export const isAbort = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError';
