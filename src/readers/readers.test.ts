import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReaderDefinition } from './defineReader.js';
import { CONNECTION_LOG_FORMATS, READERS } from './index.js';

/** The reader catalogue: adding a format is its card in its reader's file plus one line in index.ts. */
describe('READERS', () => {
  it('holds every reader card defined in src/readers, once, each described and able to read', async () => {
    const dir = new URL('./', import.meta.url);
    const defined: ReaderDefinition[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const module = (await import(new URL(name, dir).href)) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        const card = value as Partial<ReaderDefinition>;
        if (
          card &&
          typeof card === 'object' &&
          typeof card.id === 'string' &&
          typeof card.sniff === 'function'
        ) {
          defined.push(card as ReaderDefinition);
        }
      }
    }
    const listed = READERS as readonly ReaderDefinition[];
    expect(new Set(defined.map((r) => r.id))).toEqual(new Set(listed.map((r) => r.id)));
    expect(new Set(listed.map((r) => r.id)).size).toBe(listed.length);
    for (const reader of listed) {
      expect(reader.describe.length, reader.id).toBeGreaterThan(0);
      // only Parquet is loaded by the ingest itself; every other format reads its decoded text
      expect(reader.readText === undefined, reader.id).toBe(reader.id === 'parquet');
    }
  });

  it('marks the sensors that sessionise (Zeek, Argus) as connection logs, and VPC text not', () => {
    expect([...CONNECTION_LOG_FORMATS].sort()).toEqual(['argus-binetflow', 'zeek-conn']);
  });
});
