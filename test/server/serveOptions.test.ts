import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { type ServeOptions, serverOptions } from '../../src/cli/serveCommand.js';
import { startServer } from '../../src/server/app.js';
import { duckdbMemoryLimit } from '../../src/server/jobResult.js';

const GiB = 1024 ** 3;

const given = (overrides: Partial<ServeOptions>): ServeOptions => ({
  port: '0',
  host: '127.0.0.1',
  workspace: 'ws',
  maxUploadSize: '10GiB',
  maxDecompressedSize: '100GiB',
  jobMemory: '512MiB',
  jobs: '1',
  ...overrides,
});

/** DuckDB's own reading of a memory_limit value (it shows it rounded to a tenth of its unit). */
async function duckdbReads(limit: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: limit });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT current_setting('memory_limit') AS limit`);
    return String(reader.getRowObjectsJS()[0]?.limit);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('serve: sizes from the command line to the server and its jobs', () => {
  it('reads each size option with the one parser: 20G is 20 GiB, 1.5GB is 1.5 × 10^9', () => {
    const options = serverOptions(
      given({ maxUploadSize: '20G', maxDecompressedSize: '1.5GB', jobMemory: '2G' }),
      {},
    );
    expect(options.maxUploadBytes).toBe(20 * GiB);
    expect(options.maxDecompressedBytes).toBe(1_500_000_000);
    expect(options.jobMemoryBytes).toBe(2 * GiB);
  });

  it('gives a job of --job-memory 2G a DuckDB limit of 2 GiB, which DuckDB itself would read as 2 × 10^9', async () => {
    const bytes = serverOptions(given({ jobMemory: '2G' }), {}).jobMemoryBytes as number;
    expect(duckdbMemoryLimit(bytes)).toBe('2147483648B');
    expect(await duckdbReads(duckdbMemoryLimit(bytes))).toBe('2.0 GiB');
    // why the worker is told bytes: DuckDB's own G is decimal
    expect(await duckdbReads('2G')).toBe('1.8 GiB');
    expect(await duckdbReads(duckdbMemoryLimit(1.5 * GiB))).toBe('1.5 GiB');
  });

  it('takes the token from FLOWHAWK_TOKEN when --token is not given', () => {
    expect(serverOptions(given({}), { FLOWHAWK_TOKEN: 'from-env' }).token).toBe('from-env');
    expect(serverOptions(given({ token: 'given' }), { FLOWHAWK_TOKEN: 'from-env' }).token).toBe('given');
  });
});

describe('serve: S3 jobs from the command line', () => {
  it('passes every --s3-source, the profile and the endpoint to the server', () => {
    const options = serverOptions(
      given({
        s3Source: ['s3://central-logs/AWSLogs/', 's3://other/'],
        profile: 'audit',
        endpointUrl: 'http://127.0.0.1:9000',
      }),
      {},
    );
    expect(options.s3Sources).toEqual(['s3://central-logs/AWSLogs/', 's3://other/']);
    expect(options.s3Profile).toBe('audit');
    expect(options.s3EndpointUrl).toBe('http://127.0.0.1:9000');
    expect(serverOptions(given({}), {}).s3Sources).toBeUndefined();
  });

  it('refuses an --s3-source that is not an s3:// location, naming it', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'flowhawk-serve-s3-'));
    await expect(startServer({ workspace, port: 0, s3Sources: ['/var/log/flows'] })).rejects.toThrow(
      '--s3-source /var/log/flows is not an s3:// location',
    );
  });
});
