import { readFile } from 'node:fs/promises';
import { FlowhawkError } from '../errors.js';
import type { ThreatListSummary } from '../report.js';
import { parseThreatList } from './parseList.js';

/**
 * Threat lists: files or URLs of known-bad addresses (C2 servers, Tor relays, mining pools, scanners),
 * read once per analysis into entries the engine puts in `fh_threat_entries` for the detectors to join.
 * Detectors never read files or the network; they see only that table.
 */

export const THREAT_LIST_KINDS = ['c2', 'tor', 'mining', 'scanner', 'other'] as const;
export type ThreatListKind = (typeof THREAT_LIST_KINDS)[number];

/** A list as the config names it: exactly one of path and url. */
export interface ThreatListSource {
  name: string;
  kind: ThreatListKind;
  path?: string;
  url?: string;
}

export interface ThreatEntry {
  list: string;
  kind: ThreatListKind;
  entry: string;
  lo: bigint;
  hi: bigint;
}

export interface LoadedThreatLists {
  entries: ThreatEntry[];
  lists: ThreatListSummary[];
}

/** Problems kept per list: enough to show what is wrong, not a copy of a broken feed. */
export const MAX_PROBLEMS_KEPT = 20;
/** A feed that has not answered in this time is an error, not a hang. */
export const FETCH_TIMEOUT_MS = 30_000;

export interface LoadOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Reads and parses every list; throws a FlowhawkError naming the list when one cannot be read. */
export async function loadThreatLists(
  sources: readonly ThreatListSource[],
  options: LoadOptions = {},
): Promise<LoadedThreatLists> {
  const loaded = await Promise.all(
    sources.map(async (source) => {
      const parsed = parseThreatList(await readSource(source, options), source.path ?? source.url);
      const unique = new Map(parsed.entries.map((e) => [`${e.lo}-${e.hi}`, e]));
      const entries = [...unique.values()].map(({ entry, lo, hi }) => ({
        list: source.name,
        kind: source.kind,
        entry,
        lo,
        hi,
      }));
      const summary: ThreatListSummary = {
        name: source.name,
        kind: source.kind,
        source: source.path ?? shownUrl(source.url ?? ''),
        entries: entries.length,
        ignored: parsed.ignored,
        problemCount: parsed.problems.length,
        problems: parsed.problems.slice(0, MAX_PROBLEMS_KEPT),
      };
      return { entries, summary };
    }),
  );
  return { entries: loaded.flatMap((l) => l.entries), lists: loaded.map((l) => l.summary) };
}

async function readSource(source: ThreatListSource, options: LoadOptions): Promise<string> {
  const fail = (what: string, hint: string): never => {
    throw new FlowhawkError('THREAT_LIST', `threat list "${source.name}": ${what}`, hint);
  };
  if (source.path !== undefined) {
    try {
      return await readFile(source.path, 'utf8');
    } catch (error) {
      return fail(`cannot read ${source.path}: ${(error as Error).message}`, 'check the path in threatLists');
    }
  }
  const url = source.url ?? '';
  const shown = shownUrl(url);
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return fail(
      `cannot fetch ${shown}: ${(error as Error).message}`,
      `check the URL and the network; flowhawk waits ${timeoutMs / 1000} s`,
    );
  }
  if (!response.ok) {
    return fail(`${shown} answered HTTP ${response.status}`, 'check the URL (and any API key in it)');
  }
  return response.text();
}

/** The first name two lists share: findings name the list, so names must be unique. */
export function duplicateListName(lists: readonly { name: string }[]): string | undefined {
  const names = lists.map((l) => l.name);
  return names.find((name, i) => names.indexOf(name) !== i);
}

/** A URL without its query and credentials: feeds put API keys there, and messages end up in logs. */
export function shownUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}

/** One line per list with problems, for standard error: what was wrong and where, the first few shown. */
export function threatListWarnings(lists: readonly ThreatListSummary[], shown = 3): string[] {
  return lists
    .filter((list) => list.problemCount > 0)
    .map((list) => {
      const first = list.problems
        .slice(0, shown)
        .map((p) => `${p.where}${p.text ? ` "${p.text}"` : ''}: ${p.reason}`)
        .join('; ');
      const more = list.problemCount > shown ? `; and ${list.problemCount - shown} more` : '';
      return `threat list "${list.name}" (${list.source}): ${list.problemCount} entr${list.problemCount === 1 ? 'y' : 'ies'} not used (${list.entries} used): ${first}${more}`;
    });
}
