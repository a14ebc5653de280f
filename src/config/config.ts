import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BYTE_SIZE_FORMS, parseByteSize } from '../byteSize.js';
import { type Detector, defaultParams, type ParamValue } from '../detectors/define.js';
import { FlowhawkError } from '../errors.js';
import type { Direction } from '../finding.js';
import {
  duplicateListName,
  THREAT_LIST_KINDS,
  type ThreatListKind,
  type ThreatListSource,
} from '../threatintel/threatLists.js';

/**
 * The user's configuration (flowhawk.config.json in the working directory, or --config FILE):
 * monitored networks, detector switches and thresholds, and the allowlist. Every key is checked
 * against the detector catalogue, so a typo is an error naming the key, not a silent default.
 */
export interface AllowlistEntry {
  /** why this traffic is expected; shown with every finding it suppresses */
  reason: string;
  /** actor or target inside one of these (CIDR or address) */
  cidr?: readonly string[];
  /** which end `cidr` must match: the actor, the target, or either (default) */
  role?: 'actor' | 'target' | 'either';
  /** only findings about these destination ports */
  port?: readonly number[];
  direction?: Direction;
  /** only these detectors (ids) */
  detector?: readonly string[];
  /** the actor or target is one of these network interfaces (e.g. a coverage finding's eni-…) */
  interface?: readonly string[];
}

export interface FlowhawkConfig {
  /** added to the private ranges that count as internal (see engine/networks.ts) */
  internalNetworks: readonly string[];
  /** per detector id: enabled flag and parameter values, defaults filled in */
  detectors: Record<string, { enabled: boolean; params: Record<string, ParamValue> }>;
  allowlist: readonly AllowlistEntry[];
  /** files (absolute paths) or URLs of known-bad addresses, read into fh_threat_entries per analysis */
  threatLists: readonly ThreatListSource[];
  /** bytes the database may hold (DuckDB's memory_limit), when the config sets it ("memoryLimit": "2GiB") */
  memoryLimit?: number;
  /** folder for batch and spill files (absolute), when the config sets it */
  tempDir?: string;
  /** a ClickHouse store (clickhouse://… or chdb://…) that scan, ingest and report use when --store is not given */
  store?: string;
  /** where the config came from, for messages */
  source: string;
}

export const DEFAULT_CONFIG_FILE = 'flowhawk.config.json';

const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound', 'internal', 'external'];

/** Loads `path`, or flowhawk.config.json in `cwd` when present, or the defaults. */
export function loadConfig(
  catalogue: readonly Detector[],
  path?: string,
  cwd = process.cwd(),
): FlowhawkConfig {
  const file =
    path ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? resolve(cwd, DEFAULT_CONFIG_FILE) : undefined);
  if (file === undefined) return resolveConfig(catalogue, {}, 'defaults');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FlowhawkError('CONFIG', `cannot read config ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FlowhawkError('CONFIG', `${file}: not valid JSON: ${(error as Error).message}`);
  }
  return resolveConfig(catalogue, raw, file, dirname(file));
}

/** Validates a parsed config object and fills in defaults; relative list paths are taken from `baseDir`. */
export function resolveConfig(
  catalogue: readonly Detector[],
  raw: unknown,
  source: string,
  baseDir = process.cwd(),
): FlowhawkConfig {
  const fail = (where: string, what: string, hint?: string): never => {
    throw new FlowhawkError('CONFIG', `${source}: ${where}: ${what}`, hint);
  };
  const object = asObject(raw, 'the top level', fail);
  allowOnly(
    object,
    [
      'internalNetworks',
      'detectors',
      'allowlist',
      'threatLists',
      'memoryLimit',
      'tempDir',
      'store',
      '$schema',
      'comment',
    ],
    'the top level',
    fail,
  );

  const internalNetworks = stringList(object.internalNetworks ?? [], 'internalNetworks', fail);
  const byId = new Map(catalogue.map((d) => [d.id, d]));
  const detectors: FlowhawkConfig['detectors'] = {};
  for (const detector of catalogue)
    detectors[detector.id] = { enabled: true, params: defaultParams(detector) };
  const given = asObject(object.detectors ?? {}, 'detectors', fail);
  for (const [id, value] of Object.entries(given)) {
    const detector = byId.get(id);
    if (!detector) fail(`detectors.${id}`, 'no such detector', `known ids: ${[...byId.keys()].join(', ')}`);
    const settings = asObject(value, `detectors.${id}`, fail);
    const entry = detectors[id] as { enabled: boolean; params: Record<string, ParamValue> };
    for (const [key, setting] of Object.entries(settings)) {
      const where = `detectors.${id}.${key}`;
      if (key === 'enabled') {
        if (typeof setting !== 'boolean') fail(where, 'must be true or false');
        entry.enabled = setting as boolean;
        continue;
      }
      const spec = (detector as Detector).params[key];
      if (!spec) {
        fail(
          where,
          'no such parameter',
          `parameters: enabled, ${Object.keys((detector as Detector).params).join(', ')}`,
        );
      }
      entry.params[key] = Array.isArray(spec?.value)
        ? numberList(setting, where, fail)
        : finiteNumber(setting, where, fail);
    }
  }

  const allowlist = (
    Array.isArray(object.allowlist)
      ? object.allowlist
      : object.allowlist === undefined
        ? []
        : fail('allowlist', 'must be a list')
  ) as unknown[];
  const entries = allowlist.map((item, index) => allowlistEntry(item, `allowlist[${index}]`, byId, fail));
  const lists = (
    Array.isArray(object.threatLists)
      ? object.threatLists
      : object.threatLists === undefined
        ? []
        : fail('threatLists', 'must be a list')
  ) as unknown[];
  const threatLists = lists.map((item, index) =>
    threatListSource(item, `threatLists[${index}]`, baseDir, fail),
  );
  const twice = duplicateListName(threatLists);
  if (twice !== undefined) fail('threatLists', `two lists are named "${twice}"`, 'findings name the list');
  const memoryLimit =
    object.memoryLimit === undefined
      ? undefined
      : typeof object.memoryLimit === 'string'
        ? (parseByteSize(object.memoryLimit) ??
          fail('memoryLimit', `"${object.memoryLimit}" is not a size`, `write ${BYTE_SIZE_FORMS}`))
        : fail('memoryLimit', 'must be a size in quotes, e.g. "2GiB"');
  const tempDir =
    object.tempDir === undefined
      ? undefined
      : typeof object.tempDir === 'string' && object.tempDir !== ''
        ? resolve(baseDir, object.tempDir)
        : fail('tempDir', 'must be the path of a folder');
  const store =
    object.store === undefined
      ? undefined
      : typeof object.store === 'string' && /^(clickhouse|chdb):\/\//i.test(object.store)
        ? object.store
        : fail(
            'store',
            'must be a ClickHouse store URL',
            'write "clickhouse://[user@]host[:port]/database[?cluster=NAME&secure=1]" or "chdb:///dir"; keep the password in FLOWHAWK_CLICKHOUSE_PASSWORD',
          );
  return {
    internalNetworks,
    detectors,
    allowlist: entries,
    threatLists,
    ...(memoryLimit === undefined ? {} : { memoryLimit }),
    ...(tempDir === undefined ? {} : { tempDir }),
    ...(store === undefined ? {} : { store }),
    source,
  };
}

type Fail = (where: string, what: string, hint?: string) => never;

function allowlistEntry(
  item: unknown,
  where: string,
  byId: Map<string, Detector>,
  fail: Fail,
): AllowlistEntry {
  const o = asObject(item, where, fail);
  allowOnly(o, ['reason', 'cidr', 'role', 'port', 'direction', 'detector', 'interface'], where, fail);
  if (typeof o.reason !== 'string' || o.reason.trim() === '') {
    fail(`${where}.reason`, 'every allowlist entry needs a reason', 'say why this traffic is expected');
  }
  const entry: AllowlistEntry = { reason: o.reason as string };
  const one = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
  if (o.cidr !== undefined) entry.cidr = stringList(one(o.cidr), `${where}.cidr`, fail);
  if (o.role !== undefined) {
    if (!['actor', 'target', 'either'].includes(o.role as string))
      fail(`${where}.role`, 'must be actor, target or either');
    entry.role = o.role as AllowlistEntry['role'];
  }
  if (o.port !== undefined) entry.port = numberList(one(o.port), `${where}.port`, fail);
  if (o.direction !== undefined) {
    if (!DIRECTIONS.includes(o.direction as Direction))
      fail(`${where}.direction`, `must be one of ${DIRECTIONS.join(', ')}`);
    entry.direction = o.direction as Direction;
  }
  if (o.detector !== undefined) {
    entry.detector = stringList(one(o.detector), `${where}.detector`, fail);
    for (const id of entry.detector) if (!byId.has(id)) fail(`${where}.detector`, `no such detector "${id}"`);
  }
  if (o.interface !== undefined) {
    entry.interface = stringList(one(o.interface), `${where}.interface`, fail);
    for (const id of entry.interface)
      if (!/^eni-[0-9a-zA-Z]+$/.test(id))
        fail(`${where}.interface`, `"${id}" is not a network interface id (eni-…)`);
  }
  if (!entry.cidr && !entry.port && !entry.detector && !entry.direction && !entry.interface) {
    fail(where, 'matches every finding', 'give at least one of cidr, port, direction, detector, interface');
  }
  return entry;
}

function threatListSource(item: unknown, where: string, baseDir: string, fail: Fail): ThreatListSource {
  const o = asObject(item, where, fail);
  allowOnly(o, ['name', 'path', 'url', 'kind'], where, fail);
  if (typeof o.name !== 'string' || o.name.trim() === '') {
    fail(`${where}.name`, 'every threat list needs a name', 'findings quote it, e.g. "feodo-c2"');
  }
  const kind = (o.kind ?? 'other') as ThreatListKind;
  if (!THREAT_LIST_KINDS.includes(kind))
    fail(`${where}.kind`, `must be one of ${THREAT_LIST_KINDS.join(', ')}`);
  if ((o.path === undefined) === (o.url === undefined)) fail(where, 'give exactly one of path and url');
  const source: ThreatListSource = { name: o.name as string, kind };
  if (o.path !== undefined) {
    if (typeof o.path !== 'string' || o.path === '') fail(`${where}.path`, 'must be a file path');
    source.path = resolve(baseDir, o.path as string);
  } else {
    const url = typeof o.url === 'string' && URL.canParse(o.url) ? new URL(o.url) : undefined;
    if (!url || !['http:', 'https:'].includes(url.protocol)) fail(`${where}.url`, 'must be an http(s) URL');
    source.url = o.url as string;
  }
  return source;
}

function asObject(value: unknown, where: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(where, 'must be an object');
  return value as Record<string, unknown>;
}

function allowOnly(o: Record<string, unknown>, keys: readonly string[], where: string, fail: Fail): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key)) fail(`${where}.${key}`, 'unknown key', `allowed: ${keys.join(', ')}`);
}

function stringList(value: unknown, where: string, fail: Fail): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    return fail(where, 'must be a list of strings');
  return value as string[];
}

function finiteNumber(value: unknown, where: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(where, 'must be a number');
  return value;
}

function numberList(value: unknown, where: string, fail: Fail): number[] {
  if (!Array.isArray(value)) return fail(where, 'must be a list of integers');
  return value.map((v, i) => {
    if (!Number.isSafeInteger(v)) fail(`${where}[${i}]`, 'must be an integer');
    return v as number;
  });
}
