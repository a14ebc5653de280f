import { FlowhawkError } from '../../errors.js';

/**
 * Where a ClickHouse store is: `clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1]`
 * for a server over HTTP(S), or `chdb:///path/to/dir` (`chdb://` alone: a temporary directory) for
 * the engine embedded in this process (the optional `chdb` package). The password may also come from
 * FLOWHAWK_CLICKHOUSE_PASSWORD, so that it need not appear in a command line or config file.
 */
export type ClickhouseLocation =
  | {
      kind: 'http';
      /** http(s)://host:port, what @clickhouse/client takes */
      url: string;
      username: string;
      password: string;
      database: string;
      /** with cluster=NAME: local tables ON CLUSTER NAME and Distributed tables over them */
      cluster?: string;
    }
  | { kind: 'chdb'; path?: string; database: string };

export const PASSWORD_VARIABLE = 'FLOWHAWK_CLICKHOUSE_PASSWORD';

/** ClickHouse's plain identifiers: a database or cluster name is spliced into DDL, so nothing else. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isClickhouseUrl(text: string): boolean {
  return /^(clickhouse|chdb):\/\//i.test(text);
}

/** Parses a store URL; throws a FlowhawkError saying what is wrong and how it should look. */
export function parseClickhouseUrl(
  text: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClickhouseLocation {
  const usage =
    'write clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] or chdb:///dir';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FlowhawkError('USAGE', `--store ${redact(text)} is not a URL`, usage);
  }
  const protocol = url.protocol.toLowerCase();
  if (protocol === 'chdb:') {
    const path = decodeURIComponent(url.pathname);
    return { kind: 'chdb', ...(path && path !== '/' ? { path } : {}), database: 'default' };
  }
  if (protocol !== 'clickhouse:') {
    throw new FlowhawkError('USAGE', `--store ${redact(text)}: unknown scheme ${protocol}`, usage);
  }
  if (!url.hostname) throw new FlowhawkError('USAGE', `--store ${redact(text)} names no host`, usage);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'default';
  checkIdentifier(database, 'database', text);
  const known = new Set(['cluster', 'secure']);
  for (const key of url.searchParams.keys()) {
    if (!known.has(key)) {
      throw new FlowhawkError('USAGE', `--store ${redact(text)}: unknown option ${key}`, usage);
    }
  }
  const cluster = url.searchParams.get('cluster') ?? undefined;
  if (cluster !== undefined) checkIdentifier(cluster, 'cluster', text);
  const secure = ['1', 'true', 'yes'].includes((url.searchParams.get('secure') ?? '').toLowerCase());
  const port = url.port || (secure ? '8443' : '8123');
  const host =
    url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname;
  return {
    kind: 'http',
    url: `${secure ? 'https' : 'http'}://${host}:${port}`,
    username: decodeURIComponent(url.username) || 'default',
    password: url.password ? decodeURIComponent(url.password) : (env[PASSWORD_VARIABLE] ?? ''),
    database,
    ...(cluster ? { cluster } : {}),
  };
}

/** The URL with its password replaced, for messages and logs. */
export function redact(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

function checkIdentifier(name: string, what: string, text: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new FlowhawkError(
      'USAGE',
      `--store ${redact(text)}: ${what} name ${JSON.stringify(name)} is not a plain identifier`,
      `use letters, digits and _ for the ${what} name`,
    );
  }
}
