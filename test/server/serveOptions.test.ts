import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { type ServeOptions, serverOptions } from '../../src/cli/serveCommand.js';
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
