/**
 * The shape of ocsf-1.3.0.json: the OCSF schema with every `extends`, `$include` and dictionary lookup
 * already applied, so that the validator needs no schema source at run time. resolveSchema.ts writes it,
 * validateOcsf.ts reads it.
 */

export type Requirement = 'required' | 'recommended' | 'optional';

/** One attribute of a class or object, as it stands after inheritance and the dictionary. */
export interface BundledAttribute {
  /** A dictionary type (`string_t`, `ip_t`, …) or `object_t`, then `object_type` names the object. */
  type: string;
  object_type?: string;
  is_array?: true;
  requirement: Requirement;
  /** Enum value → caption; the values are the keys (JSON object keys, so strings). */
  enum?: Record<string, string>;
  /** The attribute holding the caption of this one's enum value (`severity` for `severity_id`). */
  sibling?: string;
  /** Set when the attribute exists only if the event names this profile in `metadata.profiles`. */
  profile?: string;
  /** Why and since when it is deprecated, when it is. */
  deprecated?: string;
}

/** `at_least_one` / `just_one` lists of attribute names, as the schema states them. */
export type Constraints = Partial<Record<'at_least_one' | 'just_one', string[]>>;

export interface BundledObject {
  caption: string;
  extends?: string;
  /** The profiles that may add attributes to it (its own and its ancestors' `profiles` lists). */
  profiles?: string[];
  constraints?: Constraints;
  deprecated?: string;
  attributes: Record<string, BundledAttribute>;
}

export interface BundledClass extends BundledObject {
  name: string;
  category: string;
  /** Absent for the abstract classes (finding, network) that only exist to be extended. */
  class_uid?: number;
  category_uid?: number;
}

/** A dictionary type reduced to what a value check needs. */
export interface BundledType {
  /** The primitive it is made of: string_t, integer_t, long_t, float_t, boolean_t or json_t. */
  base: string;
  max_len?: number;
  range?: [number, number];
  regex?: string;
}

export interface BundledProfile {
  caption: string;
  /** The attributes the profile's file adds to every class or object that includes it. */
  attributes: string[];
  /** For profiles whose attributes are derived by rule rather than listed (datetime). */
  derived?: string;
}

export interface OcsfBundle {
  version: string;
  source: string;
  types: Record<string, BundledType>;
  profiles: Record<string, BundledProfile>;
  categories: Record<string, { uid: number; caption: string }>;
  classes: Record<string, BundledClass>;
  /** class_uid (as a string key) → class name. */
  class_uids: Record<string, string>;
  objects: Record<string, BundledObject>;
}
