import { FlowhawkError } from '../../errors.js';
import type {
  BundledAttribute,
  BundledClass,
  BundledObject,
  BundledProfile,
  BundledType,
  Constraints,
  OcsfBundle,
  Requirement,
} from './bundle.js';

/**
 * Turns the OCSF schema source (the JSON files of ocsf/ocsf-schema, by path relative to its root) into the
 * compact bundle validateOcsf.ts reads. Pure: scripts/bundleOcsfSchema.ts reads the files and writes the
 * result, and the bundle's freshness test runs the same function on the same files.
 *
 * The rules, as the schema source expresses them:
 * - a file's `attributes.$include` lists files whose attributes come first, the file's own merged on top;
 *   attributes from a profile file (`"meta": "profile"`) carry that profile's name, and a later
 *   `"profile": null` (tunnel_activity's `device`) makes the attribute unconditional again;
 * - `extends` merges the parent's resolved attributes under the child's, key by key (enums too: a class's
 *   `activity_id` values join the dictionary's 0 and 99); `constraints` of the child replace the parent's;
 * - dictionary.json gives every attribute its type, array-ness, sibling and base enum; a type that is not a
 *   `*_t` is an object name; an `x_id` without a declared sibling pairs with `x` when `x`'s description
 *   says it is the caption of the `x_id` value;
 * - the datetime profile lists no attributes: it adds `<name>_dt` (datetime_t) beside each timestamp_t;
 * - observable.type_id's values are spread over the schema as `observable` numbers on types, dictionary
 *   attributes, objects and object attributes, and gathered here;
 * - a class's class_uid is category uid × 1000 + its uid, and its type_uid values are class_uid × 100 +
 *   each activity_id.
 */

type Json = Record<string, unknown>;
export type SchemaSource = ReadonlyMap<string, unknown>;

interface RawDefinition {
  name?: string;
  caption?: string;
  extends?: string;
  uid?: number;
  category?: string;
  meta?: string;
  observable?: number;
  profiles?: string[];
  constraints?: Constraints;
  '@deprecated'?: { message?: string; since?: string };
  attributes?: Json;
}

interface Chain {
  definition: RawDefinition;
  attributes: Record<string, Json>;
  profiles: string[];
  constraints: Constraints | undefined;
  category: string | undefined;
}

const REQUIREMENTS: readonly string[] = ['required', 'recommended', 'optional'];

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const schemaError = (where: string, what: string) =>
  new FlowhawkError(
    'OCSF_SCHEMA',
    `${where}: ${what}`,
    'point the bundler at an unmodified OCSF 1.3.0 schema source (the ocsf/ocsf-schema repository at tag v1.3.0)',
  );

/** Deep merge, `over` winning; a null in `over` is kept so that it can undo a value (see `profile`). */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = out[key];
    out[key] = isPlain(under) && isPlain(value) ? merge(under, value) : value;
  }
  return out;
}

function file(source: SchemaSource, path: string): RawDefinition {
  const parsed = source.get(path);
  if (!isPlain(parsed)) throw schemaError(path, 'missing from the schema source, or not a JSON object');
  return parsed as RawDefinition;
}

/** A file's attributes with its `$include`s applied. */
function fileAttributes(source: SchemaSource, path: string, including: string[] = []): Record<string, Json> {
  const { $include, ...own } = file(source, path).attributes ?? {};
  const includes = $include === undefined ? [] : Array.isArray($include) ? $include : [$include];
  let attributes: Json = {};
  for (const include of includes.map(String)) {
    if (including.includes(include)) throw schemaError(path, `$include cycle through ${include}`);
    const included = file(source, include);
    let extra = fileAttributes(source, include, [...including, path]);
    if (included.meta === 'profile') {
      const tag = { profile: included.name };
      extra = Object.fromEntries(Object.entries(extra).map(([name, a]) => [name, merge(tag, a)]));
    }
    attributes = merge(attributes, extra);
  }
  return merge(attributes, own) as Record<string, Json>;
}

/** Definitions in a folder of the source, by their `name`. */
function definitions(source: SchemaSource, prefix: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const path of [...source.keys()].sort()) {
    if (!path.startsWith(prefix) || !path.endsWith('.json')) continue;
    const name = file(source, path).name;
    if (typeof name !== 'string') throw schemaError(path, 'the definition has no "name"');
    byName.set(name, path);
  }
  return byName;
}

function resolveChain(
  source: SchemaSource,
  paths: Map<string, string>,
  name: string,
  seen: string[] = [],
): Chain {
  const path = paths.get(name);
  if (path === undefined) throw schemaError(seen.at(-1) ?? name, `extends "${name}", which is not defined`);
  if (seen.includes(name)) throw schemaError(path, `extends cycle: ${[...seen, name].join(' → ')}`);
  const definition = file(source, path);
  const own = fileAttributes(source, path);
  const parent = definition.extends
    ? resolveChain(source, paths, definition.extends, [...seen, name])
    : { attributes: {}, profiles: [], constraints: undefined, category: undefined };
  return {
    definition,
    attributes: merge(parent.attributes, own) as Record<string, Json>,
    profiles: [...new Set([...parent.profiles, ...(definition.profiles ?? [])])].sort(),
    constraints: definition.constraints ?? parent.constraints,
    category: definition.category ?? parent.category,
  };
}

function deprecation(raw: unknown): string | undefined {
  if (!isPlain(raw)) return undefined;
  const message = String(raw.message ?? '')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return raw.since ? `${message} (deprecated since ${raw.since})` : message;
}

/**
 * confidence_id names no sibling, but the dictionary's `confidence` says it is "normalized to the caption of
 * the confidence_id value": that description is the schema's statement of the pairing, so take it.
 */
function conventionalSibling(name: string, dictionary: Json): string | undefined {
  const caption = name.endsWith('_id') ? dictionary[name.slice(0, -3)] : undefined;
  if (!isPlain(caption) || typeof caption.description !== 'string') return undefined;
  return caption.description.includes(`caption of the ${name} value`) ? name.slice(0, -3) : undefined;
}

function finishAttribute(
  where: string,
  name: string,
  raw: Json,
  dictionary: Json,
  objectNames: ReadonlySet<string>,
): BundledAttribute {
  const entry = dictionary[name];
  if (!isPlain(entry)) throw schemaError(where, `attribute "${name}" is not in dictionary.json`);
  const a = merge(entry, raw);
  const type = String(a.type);
  const requirement = String(a.requirement ?? 'optional');
  if (!REQUIREMENTS.includes(requirement))
    throw schemaError(where, `"${name}" has requirement "${requirement}"`);
  const out: BundledAttribute = type.endsWith('_t')
    ? { type, requirement: requirement as Requirement }
    : { type: 'object_t', object_type: type, requirement: requirement as Requirement };
  if (out.object_type && !objectNames.has(out.object_type)) {
    throw schemaError(where, `"${name}" is of object type "${type}", which is not defined`);
  }
  if (a.is_array === true) out.is_array = true;
  if (isPlain(a.enum)) {
    out.enum = Object.fromEntries(
      Object.entries(a.enum).map(([value, e]) => [value, isPlain(e) ? String(e.caption ?? value) : value]),
    );
  }
  const sibling = typeof a.sibling === 'string' ? a.sibling : conventionalSibling(name, dictionary);
  if (sibling) out.sibling = sibling;
  if (typeof a.profile === 'string') out.profile = a.profile;
  const deprecated = deprecation(a['@deprecated']);
  if (deprecated) out.deprecated = deprecated;
  return out;
}

function finishAttributes(where: string, chain: Chain, dictionary: Json, objectNames: ReadonlySet<string>) {
  const attributes: Record<string, BundledAttribute> = {};
  for (const [name, raw] of Object.entries(chain.attributes)) {
    attributes[name] = finishAttribute(where, name, raw, dictionary, objectNames);
  }
  for (const [name, a] of Object.entries(attributes)) {
    if (a.type !== 'timestamp_t' || attributes[`${name}_dt`]) continue;
    const dt: BundledAttribute = { type: 'datetime_t', requirement: 'optional', profile: 'datetime' };
    if (a.is_array) dt.is_array = true;
    attributes[`${name}_dt`] = dt;
  }
  return attributes;
}

function finishDefinition(where: string, chain: Chain, attributes: Record<string, BundledAttribute>) {
  const out: BundledObject = { caption: String(chain.definition.caption ?? ''), attributes };
  if (chain.definition.extends) out.extends = chain.definition.extends;
  if (chain.profiles.length > 0) out.profiles = chain.profiles;
  if (chain.constraints && Object.keys(chain.constraints).length > 0) out.constraints = chain.constraints;
  const deprecated = deprecation(chain.definition['@deprecated']);
  if (deprecated) out.deprecated = deprecated;
  if (!out.caption) throw schemaError(where, 'the definition has no caption');
  return out;
}

/** observable.type_id's values, from every `observable` number in the source. */
function observableTypes(
  source: SchemaSource,
  dictionary: Json,
  types: Json,
  objects: Map<string, string>,
): Json {
  const found: Json = {};
  const add = (id: unknown, caption: unknown) => {
    if (typeof id === 'number') found[String(id)] = { caption: String(caption) };
  };
  for (const t of Object.values(types)) if (isPlain(t)) add(t.observable, t.caption);
  for (const a of Object.values(dictionary)) if (isPlain(a)) add(a.observable, a.caption);
  for (const path of objects.values()) {
    const object = file(source, path);
    add(object.observable, object.caption);
    for (const [name, a] of Object.entries(object.attributes ?? {})) {
      if (isPlain(a)) add(a.observable, `${object.caption} Object: ${name}`);
    }
  }
  return found;
}

function classEnums(
  attributes: Record<string, BundledAttribute>,
  caption: string,
  classUid: number,
  category: { uid: number; caption: string } | undefined,
) {
  const set = (name: string, values: Record<string, string>) => {
    const a = attributes[name];
    if (a) attributes[name] = { ...a, enum: values };
  };
  set('class_uid', { [classUid]: caption });
  if (category) set('category_uid', { [category.uid]: category.caption });
  const activities = Object.entries(attributes.activity_id?.enum ?? {});
  set(
    'type_uid',
    Object.fromEntries(
      activities.map(([id, name]) => [String(classUid * 100 + Number(id)), `${caption}: ${name}`]),
    ),
  );
}

function bundledTypes(types: Json): Record<string, BundledType> {
  const out: Record<string, BundledType> = {};
  for (const [name, t] of Object.entries(types)) {
    if (!isPlain(t)) continue;
    let base = name;
    for (let at = t; typeof at.type === 'string'; ) {
      base = at.type;
      const next = types[base];
      if (!isPlain(next)) break;
      at = next;
    }
    const bundled: BundledType = { base };
    if (typeof t.max_len === 'number') bundled.max_len = t.max_len;
    if (Array.isArray(t.range)) bundled.range = [Number(t.range[0]), Number(t.range[1])];
    if (typeof t.regex === 'string') bundled.regex = t.regex;
    out[name] = bundled;
  }
  return out;
}

function bundledProfiles(source: SchemaSource): Record<string, BundledProfile> {
  const out: Record<string, BundledProfile> = {};
  for (const path of definitions(source, 'profiles/').values()) {
    const profile = file(source, path);
    const attributes = Object.keys(profile.attributes ?? {}).filter((a) => a !== '$include');
    out[String(profile.name)] = { caption: String(profile.caption), attributes: attributes.sort() };
  }
  if (out.datetime) out.datetime.derived = '<name>_dt (datetime_t) beside every timestamp_t attribute';
  return out;
}

/** The whole bundle; see the module comment for the rules it applies. */
export function resolveOcsfSchema(source: SchemaSource): OcsfBundle {
  const dictionaryFile = file(source, 'dictionary.json') as Json;
  const dictionary = (dictionaryFile.attributes ?? {}) as Json;
  const types = ((dictionaryFile.types as Json | undefined)?.attributes ?? {}) as Json;
  const categoryList = (file(source, 'categories.json').attributes ?? {}) as Record<string, Json>;
  const categories = Object.fromEntries(
    Object.entries(categoryList).map(([name, c]) => [
      name,
      { uid: Number(c.uid), caption: String(c.caption) },
    ]),
  );
  const objectPaths = definitions(source, 'objects/');
  const objectNames = new Set(objectPaths.keys());

  const objects: Record<string, BundledObject> = {};
  for (const [name, path] of objectPaths) {
    const chain = resolveChain(source, objectPaths, name);
    if (name === 'observable' && chain.attributes.type_id) {
      const gathered = { enum: observableTypes(source, dictionary, types, objectPaths) };
      chain.attributes.type_id = merge(gathered, chain.attributes.type_id);
    }
    objects[name] = finishDefinition(path, chain, finishAttributes(path, chain, dictionary, objectNames));
  }

  const classPaths = definitions(source, 'events/');
  const classes: Record<string, BundledClass> = {};
  const classUids: Record<string, string> = {};
  for (const [name, path] of classPaths) {
    const chain = resolveChain(source, classPaths, name);
    const attributes = finishAttributes(path, chain, dictionary, objectNames);
    const category = String(chain.category ?? 'other');
    const bundled: BundledClass = { name, category, ...finishDefinition(path, chain, attributes) };
    const known = categories[category];
    if (known) bundled.category_uid = known.uid;
    // abstract classes (finding, network) have no uid: only the root class and those with one are concrete
    if (chain.definition.uid !== undefined || !chain.definition.extends) {
      const classUid = (known?.uid ?? 0) * 1000 + (chain.definition.uid ?? 0);
      bundled.class_uid = classUid;
      if (bundled.category_uid === undefined) bundled.category_uid = 0;
      if (classUids[classUid])
        throw schemaError(path, `class_uid ${classUid} is also ${classUids[classUid]}'s`);
      classUids[classUid] = name;
      classEnums(attributes, bundled.caption, classUid, known);
    }
    classes[name] = bundled;
  }

  const version = String((file(source, 'version.json') as Json).version);
  return {
    version,
    source: `ocsf/ocsf-schema, tag v${version} (Apache-2.0)`,
    types: bundledTypes(types),
    profiles: bundledProfiles(source),
    categories,
    classes,
    class_uids: classUids,
    objects,
  };
}

/** Stable bytes: keys sorted at every level (arrays keep their order), so a re-run writes the same file. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}
