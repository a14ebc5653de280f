import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/config.js';
import { CONNECTION_COLUMNS } from '../src/connection.js';
import { DETECTORS } from '../src/detectors/index.js';
import { analyse } from '../src/engine/analyse.js';
import { DIRECTION_SQL } from '../src/engine/connections.js';
import { FLOW_COLUMNS } from '../src/flow.js';
import type { DuckdbStore } from '../src/store/duckdbStore.js';
import { FlowBuilder } from './helpers/flowBuilder.js';
import { ingestInMemory } from './helpers/ingestInMemory.js';
import { scannedColumns } from './helpers/scannedColumns.js';

const TABLES = new Map<string, readonly string[]>([
  ['fh_connections', CONNECTION_COLUMNS.map((c) => c.name)],
  ['flows', FLOW_COLUMNS.map((c) => c.name)],
]);

describe("each card's `reads` is what its queries read", () => {
  const config = resolveConfig(DETECTORS, {}, 'defaults');
  let dir: string;
  let store: DuckdbStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowhawk-reads-'));
    const file = join(dir, 'flows.log');
    await writeFile(
      file,
      new FlowBuilder().tcp({ client: '10.0.0.1', server: '10.0.0.2', port: 22, at: 1_700_000_000 }).text(),
    );
    ({ store } = await ingestInMemory([file]));
    // the network, threat and connection tables every feature query reads
    await analyse(store, config, []);
  });
  afterAll(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(DETECTORS.map((d) => [d.id, d] as const))('%s', async (_id, detector) => {
    const params = config.detectors[detector.id]?.params ?? {};
    const context = { dialect: store.dialect, direction: DIRECTION_SQL };
    const queries = [detector.feature(params, context)];
    if (detector.coverage) queries.push(detector.coverage.feature(params, context));
    const read = { connections: new Set<string>(), flows: new Set<string>() };
    for (const sql of queries) {
      const scanned = await scannedColumns(store, sql, TABLES);
      for (const name of scanned.get('fh_connections') ?? []) read.connections.add(name);
      for (const name of scanned.get('flows') ?? []) read.flows.add(name);
    }
    expect({
      connections: [...read.connections].sort(),
      flows: [...read.flows].sort(),
    }).toEqual({
      connections: [...detector.reads.connections].sort(),
      flows: [...detector.reads.flows].sort(),
    });
  });
});
