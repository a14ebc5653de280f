import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { SCAN_IN_MEMORY_BYTES, scanNeedsScratchFile, storeOptionsFrom } from './storeOptions.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-storeopts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setting(store: DuckdbStore, name: string): Promise<string> {
  const [row] = await store.query<{ v: string }>(`SELECT current_setting('${name}') AS v`);
  return String(row?.v);
}

describe('--memory-limit and --temp-dir', () => {
  it('give the database its limit, while loading and analysing, and its scratch folder', async () => {
    const store = await DuckdbStore.open(storeOptionsFrom({ memoryLimit: '300MiB', tempDir: dir }));
    try {
      expect(await setting(store, 'memory_limit')).toBe('300.0 MiB');
      await store.prepareForAnalysis();
      expect(await setting(store, 'memory_limit')).toBe('300.0 MiB');
      expect(store.scratchDir.startsWith(join(dir, 'flowhawk-'))).toBe(true);
      expect(await setting(store, 'temp_directory')).toBe(join(store.scratchDir, 'spill'));
    } finally {
      store.close();
    }
  });

  it('keep the defaults when neither the flags nor the config say otherwise', async () => {
    const store = await DuckdbStore.open(storeOptionsFrom({}));
    try {
      expect(await setting(store, 'memory_limit')).toBe('381.4 MiB');
      await store.prepareForAnalysis();
      expect(await setting(store, 'memory_limit')).toBe('953.6 MiB');
    } finally {
      store.close();
    }
  });

  it('take the config when the flag is absent, the flag when both are given', () => {
    const config = resolveConfig(DETECTORS, { memoryLimit: '2G', tempDir: 'spill' }, 'test', dir);
    expect(config.memoryLimit).toBe(2 * 1024 ** 3);
    expect(storeOptionsFrom({}, config)).toEqual({
      memoryLimit: `${2 * 1024 ** 3}B`,
      analysisMemoryLimit: `${2 * 1024 ** 3}B`,
      tempDir: join(dir, 'spill'),
    });
    expect(storeOptionsFrom({ memoryLimit: '1.5GB' }, config).memoryLimit).toBe('1500000000B');
  });

  it('refuse a size that is none, naming the flag or the key', () => {
    expect(() => storeOptionsFrom({ memoryLimit: '10XB' })).toThrow(/--memory-limit 10XB is not a size/);
    expect(() => resolveConfig(DETECTORS, { memoryLimit: 'lots' }, 'cfg.json')).toThrow(
      /cfg\.json: memoryLimit: "lots" is not a size/,
    );
  });

  it('say which folder cannot hold the scratch files', async () => {
    await expect(DuckdbStore.open({ tempDir: join(dir, 'missing') })).rejects.toThrow(
      /cannot make a scratch folder in .*missing/,
    );
  });
});

describe('a scan without a workspace', () => {
  it('keeps small inputs in memory, and big ones, standard input and pipes in a scratch file', async () => {
    const small = join(dir, 'small');
    mkdirSync(small);
    writeFileSync(join(small, 'a.log'), 'x\n');
    expect(await scanNeedsScratchFile([small])).toBe(false);
    const big = join(dir, 'big');
    mkdirSync(big);
    // two files that are only big together (sparse: no disk used)
    for (const name of ['a.log.gz', 'b.log.gz']) {
      writeFileSync(join(big, name), '');
      truncateSync(join(big, name), SCAN_IN_MEMORY_BYTES / 2 + 1);
    }
    expect(await scanNeedsScratchFile([join(big, 'a.log.gz')])).toBe(false);
    expect(await scanNeedsScratchFile([big])).toBe(true);
    expect(await scanNeedsScratchFile([small, '-'])).toBe(true);
  });

  it('with scratchFile, stores the flows in a file of its scratch folder, removed on close', async () => {
    const store = await DuckdbStore.open({ scratchFile: true, tempDir: dir });
    const file = join(store.scratchDir, 'flows.duckdb');
    try {
      const [db] = await store.query<{ path: string }>(
        'SELECT path FROM duckdb_databases() WHERE database_name = current_database()',
      );
      expect(db?.path).toBe(file);
      expect(existsSync(file)).toBe(true);
      expect(store.workspace).toBeUndefined();
    } finally {
      store.close();
    }
    expect(existsSync(store.scratchDir)).toBe(false);
  });
});
