import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowhawkError } from '../../errors.js';
import type { BundledAttribute, BundledClass, BundledObject, OcsfBundle } from './bundle.js';
import { scalarProblem } from './scalarTypes.js';

/**
 * Validates one OCSF 1.3.0 event against the bundled schema (ocsf-1.3.0.json, see README.md there): the
 * class by class_uid; every attribute defined for its class or object, profile attributes only when
 * metadata.profiles names the profile; required attributes present; enum values defined and their caption
 * siblings agreeing; types and arrays right; nested objects checked against their own definitions; the
 * schema's at_least_one / just_one constraints; type_uid and category_uid consistent with the class.
 * Attributes the schema calls recommended are not required, so their absence is not a problem.
 */

export interface OcsfProblem {
  /** Where, as a property path from the event: `evidences[0].connection_info.direction_id`; '' for the event. */
  path: string;
  message: string;
}

type Json = Record<string, unknown>;

interface Context {
  schema: OcsfBundle;
  /** The profiles the event names in metadata.profiles. */
  profiles: ReadonlySet<string>;
  problems: OcsfProblem[];
}

// an `_id` value of 99 means "Other": its sibling then carries the source's own word, not the caption
const OTHER = '99';

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

let bundled: OcsfBundle | undefined;

/** The bundle, read once, from beside this module (src/ under tsx and vitest, dist/ once built). */
export function ocsfSchema(): OcsfBundle {
  if (bundled) return bundled;
  const url = new URL('./ocsf-1.3.0.json', import.meta.url);
  try {
    bundled = JSON.parse(readFileSync(url, 'utf8')) as OcsfBundle;
  } catch (error) {
    throw new FlowhawkError(
      'OCSF_SCHEMA',
      `${fileURLToPath(url)}: cannot read the bundled OCSF schema (${(error as Error).message})`,
      'the build must copy src/outputs/ocsfSchema/ocsf-1.3.0.json next to validateOcsf.js; ' +
        'from a schema source, scripts/bundleOcsfSchema.ts writes it',
    );
  }
  return bundled;
}

export function validateOcsfEvent(event: unknown): OcsfProblem[] {
  const schema = ocsfSchema();
  if (!isPlain(event)) return [{ path: '', message: 'an OCSF event is a JSON object; this is not one' }];
  const classUid = event.class_uid;
  const name = Number.isInteger(classUid) ? schema.class_uids[String(classUid)] : undefined;
  const cls = name === undefined ? undefined : schema.classes[name];
  if (!cls) {
    const known = Object.entries(schema.class_uids).map(([uid, n]) => `${uid} ${n}`);
    const found = classUid === undefined ? 'missing' : JSON.stringify(classUid);
    return [
      {
        path: 'class_uid',
        message: `${found}: not a class of OCSF ${schema.version} (known: ${known.join(', ')})`,
      },
    ];
  }
  const problems: OcsfProblem[] = [];
  const context: Context = { schema, profiles: namedProfiles(event, schema, problems), problems };
  checkVersion(event, schema, context.problems);
  checkObject(context, cls, `class ${cls.name}`, event, '');
  checkTypeUid(cls, event, context.problems);
  checkObservableNames(context, cls, event);
  return problems;
}

/** metadata.profiles as a set, reporting names that are not core profiles. */
function namedProfiles(event: Json, schema: OcsfBundle, problems: OcsfProblem[]): Set<string> {
  const list = isPlain(event.metadata) ? event.metadata.profiles : undefined;
  const names = new Set<string>();
  if (!Array.isArray(list)) return names;
  list.forEach((profile, i) => {
    if (typeof profile !== 'string') return; // the type check of metadata.profiles reports it
    names.add(profile);
    if (!schema.profiles[profile]) {
      problems.push({
        path: `metadata.profiles[${i}]`,
        message: `"${profile}" is not a core profile of OCSF ${schema.version} (they are: ${Object.keys(schema.profiles).join(', ')}); extension profiles are not bundled`,
      });
    }
  });
  return names;
}

function checkVersion(event: Json, schema: OcsfBundle, problems: OcsfProblem[]): void {
  const version = isPlain(event.metadata) ? event.metadata.version : undefined;
  if (typeof version === 'string' && version !== schema.version) {
    problems.push({
      path: 'metadata.version',
      message: `"${version}": this validator checks against OCSF ${schema.version}, so its verdicts may not apply`,
    });
  }
}

/** An attribute the event may carry: defined, and its profile (if any) named in metadata.profiles. */
function usable(context: Context, a: BundledAttribute | undefined): boolean {
  return a !== undefined && (a.profile === undefined || context.profiles.has(a.profile));
}

function checkObject(context: Context, def: BundledObject, what: string, value: Json, path: string): void {
  const { problems } = context;
  for (const [key, v] of Object.entries(value)) {
    const a = def.attributes[key];
    const at = join(path, key);
    if (!a || !usable(context, a)) {
      problems.push({
        path: at,
        message: a
          ? `added to ${what} by the "${a.profile}" profile, which metadata.profiles does not name: add "${a.profile}" there or drop the attribute`
          : `not an attribute of ${what} in OCSF ${context.schema.version}: move it where the schema defines it, or under unmapped`,
      });
      continue;
    }
    if (a.deprecated) problems.push({ path: at, message: `deprecated: ${a.deprecated}` });
    checkValue(context, a, v, at);
  }
  for (const [key, a] of Object.entries(def.attributes)) {
    if (a.requirement === 'required' && usable(context, a) && value[key] === undefined) {
      problems.push({ path: join(path, key), message: `required by ${what}, missing` });
    }
  }
  checkSiblings(def, value, path, problems);
  checkConstraints(def, what, value, path, problems);
}

function checkValue(context: Context, a: BundledAttribute, value: unknown, path: string): void {
  const kind = a.object_type ? `a ${a.object_type} object` : a.type;
  if (a.is_array) {
    if (!Array.isArray(value)) {
      context.problems.push({ path, message: `expected an array of ${kind}, found ${shape(value)}` });
      return;
    }
    value.forEach((item, i) => {
      checkOne(context, a, item, `${path}[${i}]`);
    });
  } else if (Array.isArray(value)) {
    context.problems.push({
      path,
      message: `expected ${kind}, found an array (the schema does not make it one)`,
    });
  } else {
    checkOne(context, a, value, path);
  }
}

function checkOne(context: Context, a: BundledAttribute, value: unknown, path: string): void {
  const { schema, problems } = context;
  if (a.object_type) {
    const def = schema.objects[a.object_type];
    if (!isPlain(value)) {
      problems.push({ path, message: `expected a ${a.object_type} object, found ${shape(value)}` });
    } else if (def && a.object_type !== 'object') {
      // the generic `object` (unmapped's type) defines nothing and so accepts anything
      checkObject(context, def, `the ${a.object_type} object`, value, path);
    }
    return;
  }
  const problem = scalarProblem(a.type, schema.types[a.type], value);
  if (problem) {
    problems.push({ path, message: problem });
  } else if (a.enum && !(String(value) in a.enum) && path !== 'type_uid') {
    // (the event's type_uid gets a sharper message from checkTypeUid)
    const defined = Object.entries(a.enum).map(([id, caption]) => `${id} ${caption}`);
    problems.push({
      path,
      message: `${JSON.stringify(value)} is not one of its defined values: ${defined.join(', ')}`,
    });
  }
}

function shape(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Where an `_id` and its caption sibling (severity_id / severity) are both given, they must agree. */
function checkSiblings(def: BundledObject, value: Json, path: string, problems: OcsfProblem[]): void {
  for (const [key, a] of Object.entries(def.attributes)) {
    if (!a.sibling || !a.enum || a.is_array || value[key] === undefined) continue;
    const caption = a.enum[String(value[key])];
    const given = value[a.sibling];
    if (caption === undefined || String(value[key]) === OTHER || typeof given !== 'string') continue;
    if (given !== caption) {
      problems.push({
        path: join(path, a.sibling),
        message: `"${given}" does not match ${key} ${JSON.stringify(value[key])}, whose caption is "${caption}"`,
      });
    }
  }
}

function checkConstraints(
  def: BundledObject,
  what: string,
  value: Json,
  path: string,
  problems: OcsfProblem[],
) {
  const present = (names: string[]) => names.filter((n) => value[n] !== undefined);
  const { at_least_one: atLeastOne, just_one: justOne } = def.constraints ?? {};
  if (atLeastOne && present(atLeastOne).length === 0) {
    problems.push({ path, message: `${what} needs at least one of: ${atLeastOne.join(', ')}` });
  }
  if (justOne && present(justOne).length !== 1) {
    problems.push({ path, message: `${what} needs exactly one of: ${justOne.join(', ')}` });
  }
}

/** type_uid = class_uid × 100 + activity_id, as the dictionary defines it. */
function checkTypeUid(cls: BundledClass, event: Json, problems: OcsfProblem[]): void {
  const { type_uid: typeUid, activity_id: activityId } = event;
  if (cls.class_uid === undefined || !Number.isInteger(typeUid) || !Number.isInteger(activityId)) return;
  const expected = cls.class_uid * 100 + (activityId as number);
  if (typeUid !== expected) {
    problems.push({
      path: 'type_uid',
      message: `${typeUid}, but class_uid ${cls.class_uid} × 100 + activity_id ${activityId} is ${expected}`,
    });
  }
}

/**
 * observables[].name points at an attribute of the event ("src_endpoint.ip", array positions left out or
 * not): it must name one the class defines, else a consumer pivoting on it finds nothing.
 */
function checkObservableNames(context: Context, cls: BundledClass, event: Json): void {
  const { observables } = event;
  if (!Array.isArray(observables) || !usable(context, cls.attributes.observables)) return;
  observables.forEach((observable, i) => {
    if (!isPlain(observable) || typeof observable.name !== 'string') return;
    let def: BundledObject | undefined = cls;
    for (const step of observable.name.replace(/\[\d*\]/g, '').split('.')) {
      const a: BundledAttribute | undefined = def?.attributes[step];
      if (!def || !a || !usable(context, a)) {
        context.problems.push({
          path: `observables[${i}].name`,
          message: `"${observable.name}" names no attribute of class ${cls.name}: it should be the path of the value it observes`,
        });
        return;
      }
      if (a.object_type === 'object') return; // unmapped and its like: anything below is fine
      def = a.object_type ? context.schema.objects[a.object_type] : undefined;
    }
  });
}
