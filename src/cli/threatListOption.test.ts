import { describe, expect, it } from 'vitest';
import { threatListOptions } from './threatListOption.js';

describe('--threat-list', () => {
  it('adds files and URLs, with an optional kind= prefix, after the configured lists', () => {
    const configured = [{ name: 'feodo', kind: 'c2' as const, path: '/etc/fh/feodo.csv' }];
    expect(
      threatListOptions(
        ['tor=lists/exits.txt', 'http://127.0.0.1:8080/x.json?key=secret', 'a=b.txt'],
        configured,
      ),
    ).toEqual([
      ...configured,
      { name: 'exits.txt', kind: 'tor', path: 'lists/exits.txt' },
      { name: '127.0.0.1:8080/x.json', kind: 'other', url: 'http://127.0.0.1:8080/x.json?key=secret' },
      { name: 'a=b.txt', kind: 'other', path: 'a=b.txt' },
    ]);
  });

  it('refuses a list given twice', () => {
    expect(() => threatListOptions(['x.txt', 'c2=lists/x.txt'], [])).toThrow(
      '--threat-list: two threat lists are named "x.txt"',
    );
  });
});
