import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowhawkError } from '../errors.js';
import { loadThreatLists, shownUrl, threatListWarnings } from './threatLists.js';

/** Loopback only: lists are served from 127.0.0.1, never from any other address. */
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowhawk-threat-'));
  server = createServer((req, res) => {
    if (req.url === '/tor.txt') {
      res.end('# exits\n198.51.100.7\n198.51.100.8\n');
    } else if (req.url === '/slow') {
      // never answers: the loader's timeout must give up
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('loadThreatLists', () => {
  it('reads files and URLs into entries tagged with the list and its kind, reporting bad lines', async () => {
    const file = join(dir, 'c2.txt');
    await writeFile(file, '203.0.113.9\n203.0.113.9\nbogus\n203.0.113.0/24\n');
    const loaded = await loadThreatLists([
      { name: 'feodo', kind: 'c2', path: file },
      { name: 'tor-exits', kind: 'tor', url: `${base}/tor.txt` },
    ]);
    expect(loaded.entries.map((e) => [e.list, e.kind, e.entry])).toEqual([
      ['feodo', 'c2', '203.0.113.9'],
      ['feodo', 'c2', '203.0.113.0/24'],
      ['tor-exits', 'tor', '198.51.100.7'],
      ['tor-exits', 'tor', '198.51.100.8'],
    ]);
    expect(loaded.lists[0]).toMatchObject({ name: 'feodo', entries: 2, problemCount: 1, source: file });
    expect(threatListWarnings(loaded.lists)).toEqual([
      `threat list "feodo" (${file}): 1 entry not used (2 used): line 3 "bogus": not an IPv4 or IPv6 address or CIDR`,
    ]);
  });

  it('fails naming the list when a file is missing, a URL answers 404 or never answers', async () => {
    const missing = loadThreatLists([{ name: 'gone', kind: 'other', path: join(dir, 'nope.txt') }]);
    await expect(missing).rejects.toThrow(FlowhawkError);
    await expect(missing).rejects.toThrow(/threat list "gone": cannot read/);
    await expect(loadThreatLists([{ name: 'feed', kind: 'c2', url: `${base}/missing` }])).rejects.toThrow(
      /threat list "feed": .* answered HTTP 404/,
    );
    await expect(
      loadThreatLists([{ name: 'slow', kind: 'c2', url: `${base}/slow` }], { timeoutMs: 200 }),
    ).rejects.toThrow(/threat list "slow": cannot fetch/);
  });

  it('keeps the first 20 problems of a broken feed and counts the rest', async () => {
    const file = join(dir, 'junk.txt');
    await writeFile(file, Array.from({ length: 50 }, (_, i) => `junk${i}`).join('\n'));
    const { lists } = await loadThreatLists([{ name: 'junk', kind: 'other', path: file }]);
    expect(lists[0]).toMatchObject({ entries: 0, problemCount: 50 });
    expect(lists[0]?.problems).toHaveLength(20);
    expect(threatListWarnings(lists)[0]).toMatch(/50 entries not used \(0 used\).*; and 47 more$/);
  });
});

describe('shownUrl', () => {
  it('drops the query and credentials, where feeds put API keys', () => {
    expect(shownUrl('https://user:pw@127.0.0.1:8443/feed.csv?auth-key=secret')).toBe(
      'https://127.0.0.1:8443/feed.csv',
    );
  });
});
