import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';

const resolve = (threatLists: unknown) =>
  resolveConfig([], { threatLists }, 'flowhawk.config.json', '/etc/fh');

describe('config: threatLists', () => {
  it('is empty by default, and takes files (relative to the config) and URLs with a kind', () => {
    expect(resolveConfig([], {}, 'defaults').threatLists).toEqual([]);
    expect(
      resolve([
        { name: 'feodo', path: 'lists/feodo.csv', kind: 'c2' },
        { name: 'tor', url: 'https://127.0.0.1/exits.txt', kind: 'tor' },
        { name: 'mine', path: '/srv/pools.txt' },
      ]),
    ).toMatchObject({
      threatLists: [
        { name: 'feodo', kind: 'c2', path: join('/etc/fh', 'lists/feodo.csv') },
        { name: 'tor', kind: 'tor', url: 'https://127.0.0.1/exits.txt' },
        { name: 'mine', kind: 'other', path: '/srv/pools.txt' },
      ],
    });
  });

  it.each([
    [[{ name: 'a', path: 'x', colour: 'red' }], 'threatLists[0].colour: unknown key'],
    [[{ path: 'x' }], 'threatLists[0].name: every threat list needs a name'],
    [[{ name: 'a' }], 'threatLists[0]: give exactly one of path and url'],
    [
      [{ name: 'a', path: 'x', url: 'http://127.0.0.1/x' }],
      'threatLists[0]: give exactly one of path and url',
    ],
    [[{ name: 'a', url: 'ftp://127.0.0.1/x' }], 'threatLists[0].url: must be an http(s) URL'],
    [[{ name: 'a', url: 'not a url' }], 'threatLists[0].url: must be an http(s) URL'],
    [
      [{ name: 'a', path: 'x', kind: 'botnet' }],
      'threatLists[0].kind: must be one of c2, tor, mining, scanner, other',
    ],
    [
      [
        { name: 'a', path: 'x' },
        { name: 'a', path: 'y' },
      ],
      'threatLists: two lists are named "a"',
    ],
    [{ name: 'a', path: 'x' }, 'threatLists: must be a list'],
  ])('rejects %j, naming the key', (lists, message) => {
    expect(() => resolve(lists)).toThrow(message);
  });
});
