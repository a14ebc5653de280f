import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckdbStore } from '../store/duckdbStore.js';
import { loadThreatLists } from './threatLists.js';
import { createThreatTables } from './threatTable.js';

describe('createThreatTables', () => {
  it('creates both tables empty when there are no lists', async () => {
    const store = await DuckdbStore.open();
    try {
      await createThreatTables(store, []);
      expect(await store.query('SELECT * FROM fh_threat_entries')).toEqual([]);
      expect(await store.query('SELECT * FROM fh_threat_matches')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('stores every entry and matches the stored addresses inside them, IPv4 and IPv6, narrowest entry first', async () => {
    const store = await DuckdbStore.open();
    try {
      const file = join(await mkdtemp(join(tmpdir(), 'flowhawk-threat-')), 'many.txt');
      const many = Array.from({ length: 1500 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
      await writeFile(file, [...many, '198.18.5.0/24', '2001:db8::/32', 'ffff:ffff::/32'].join('\n'));
      const { entries } = await loadThreatLists([{ name: "o'brien", kind: 'scanner', path: file }]);
      await store.run(
        `INSERT INTO addresses SELECT addr, fh_ip(addr), CASE WHEN contains(addr, ':') THEN 6 ELSE 4 END
         FROM (VALUES ('198.18.5.219'), ('198.18.5.250'), ('2001:db8:1::5'), ('ffff:ffff:1::1'), ('198.18.7.0')) AS v(addr)`,
      );
      await createThreatTables(store, entries);
      const [n] = await store.query<{ n: bigint }>('SELECT count(*) AS n FROM fh_threat_entries');
      expect(Number(n?.n)).toBe(1503);
      expect(
        await store.query(
          'SELECT addr, list, kind, entry, addresses::DOUBLE AS addresses FROM fh_threat_matches ORDER BY addr',
        ),
      ).toEqual([
        { addr: '198.18.5.219', list: "o'brien", kind: 'scanner', entry: '198.18.5.219', addresses: 1 },
        { addr: '198.18.5.250', list: "o'brien", kind: 'scanner', entry: '198.18.5.0/24', addresses: 256 },
        {
          addr: '2001:db8:1::5',
          list: "o'brien",
          kind: 'scanner',
          entry: '2001:db8::/32',
          addresses: 2 ** 96,
        },
        {
          addr: 'ffff:ffff:1::1',
          list: "o'brien",
          kind: 'scanner',
          entry: 'ffff:ffff::/32',
          addresses: 2 ** 96,
        },
      ]);
    } finally {
      store.close();
    }
  });
});
