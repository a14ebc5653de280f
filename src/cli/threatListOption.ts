import { basename } from 'node:path';
import { FlowhawkError } from '../errors.js';
import {
  duplicateListName,
  shownUrl,
  THREAT_LIST_KINDS,
  type ThreatListSource,
} from '../threatintel/threatLists.js';

/**
 * `--threat-list [kind=]FILE|URL`, repeatable: lists added to the config's `threatLists`, named by
 * the file name or the URL without scheme and query (`tor=lists/exits.txt` is the list "exits.txt"
 * of kind tor; without a kind, "other").
 */
export function threatListOptions(
  values: readonly string[],
  configured: readonly ThreatListSource[],
): ThreatListSource[] {
  const added = values.map((value): ThreatListSource => {
    const [prefix, ...rest] = value.split('=');
    const kind = THREAT_LIST_KINDS.find((k) => k === prefix && rest.length > 0);
    const target = kind ? rest.join('=') : value;
    const url = /^https?:\/\//i.test(target);
    const name = url ? shownUrl(target).replace(/^https?:\/\//i, '') : basename(target);
    return { name, kind: kind ?? 'other', ...(url ? { url: target } : { path: target }) };
  });
  const lists = [...configured, ...added];
  const twice = duplicateListName(lists);
  if (twice !== undefined) {
    throw new FlowhawkError(
      'USAGE',
      `--threat-list: two threat lists are named "${twice}"`,
      'give each list once, or name them in the config (threatLists)',
    );
  }
  return lists;
}
