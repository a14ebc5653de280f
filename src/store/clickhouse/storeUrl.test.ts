import { describe, expect, it } from 'vitest';
import { FlowhawkError } from '../../errors.js';
import { isClickhouseUrl, PASSWORD_VARIABLE, parseClickhouseUrl, redact } from './storeUrl.js';

describe('--store clickhouse://…', () => {
  it('reads user, password, host, port, database, cluster and secure', () => {
    expect(
      parseClickhouseUrl('clickhouse://alice:s%40cret@ch.example:9440/flows?cluster=two_shards&secure=1', {}),
    ).toEqual({
      kind: 'http',
      url: 'https://ch.example:9440',
      username: 'alice',
      password: 's@cret',
      database: 'flows',
      cluster: 'two_shards',
    });
  });

  it('defaults: user default, HTTP port 8123 (8443 secure), database default, no cluster', () => {
    expect(parseClickhouseUrl('clickhouse://127.0.0.1', {})).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:8123',
      username: 'default',
      password: '',
      database: 'default',
    });
    expect(parseClickhouseUrl('clickhouse://h/db?secure=1', {})).toMatchObject({ url: 'https://h:8443' });
  });

  it('takes the password from FLOWHAWK_CLICKHOUSE_PASSWORD when the URL has none', () => {
    const env = { [PASSWORD_VARIABLE]: 'from-env' };
    expect(parseClickhouseUrl('clickhouse://bob@h/db', env)).toMatchObject({
      username: 'bob',
      password: 'from-env',
    });
    expect(parseClickhouseUrl('clickhouse://bob:given@h/db', env)).toMatchObject({ password: 'given' });
  });

  it('chdb:// is the embedded engine, in a directory or a temporary one', () => {
    expect(parseClickhouseUrl('chdb:///var/lib/flowhawk', {})).toEqual({
      kind: 'chdb',
      path: '/var/lib/flowhawk',
      database: 'default',
    });
    expect(parseClickhouseUrl('chdb://', {})).toEqual({ kind: 'chdb', database: 'default' });
  });

  it('refuses what would be spliced into DDL unsafely, and unknown options, saying so', () => {
    const usage = (url: string) => {
      try {
        parseClickhouseUrl(url, {});
      } catch (error) {
        expect(error).toBeInstanceOf(FlowhawkError);
        expect((error as FlowhawkError).code).toBe('USAGE');
        return (error as Error).message;
      }
      throw new Error(`${url} was accepted`);
    };
    expect(usage('clickhouse://h/db;DROP')).toMatch(/database name/);
    expect(usage('clickhouse://h/db?cluster=a-b')).toMatch(/cluster name/);
    expect(usage('clickhouse://h/db?compress=1')).toMatch(/unknown option compress/);
    expect(usage('postgres://h/db')).toMatch(/unknown scheme/);
    // the password never appears in the message
    expect(usage('clickhouse://u:hunter2@h/db?x=1')).not.toContain('hunter2');
  });

  it('tells store URLs from workspace paths, and redacts passwords', () => {
    expect(isClickhouseUrl('clickhouse://h/db')).toBe(true);
    expect(isClickhouseUrl('chdb:///tmp/x')).toBe(true);
    expect(isClickhouseUrl('hist.duckdb')).toBe(false);
    expect(redact('clickhouse://u:hunter2@h:8123/db')).toBe('clickhouse://u:***@h:8123/db');
  });
});
