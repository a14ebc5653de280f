import { ipFamily } from '../../net/addresses.js';
import type { BundledType } from './bundle.js';

/**
 * Checks a single (non-object, non-array) value against an OCSF dictionary type, as the bundle describes
 * it: the primitive it is made of, then its range, length and pattern. Returns what is wrong, or undefined.
 */

// integer_t is "signed integer", long_t "8-byte long": integer_t is the 4-byte kind
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const PRIMITIVE_NAME: Readonly<Record<string, string>> = {
  string_t: 'a string',
  integer_t: 'an integer',
  long_t: 'an integer',
  float_t: 'a number',
  boolean_t: 'true or false',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Whether `value` is of the primitive `base`; undefined for a base this validator does not know. */
function isPrimitive(base: string, value: unknown): boolean | undefined {
  switch (base) {
    case 'json_t':
      return true;
    case 'string_t':
      return typeof value === 'string';
    case 'boolean_t':
      return typeof value === 'boolean';
    case 'float_t':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer_t':
    case 'long_t':
      return Number.isInteger(value);
    default:
      return undefined;
  }
}

/** An IPv4 or IPv6 address, an IPv6 zone (`%eth0`) allowed as ip_t's own pattern allows it. */
export function isIpAddress(value: string): boolean {
  const zone = value.indexOf('%');
  return ipFamily(zone > 0 && value.includes(':') ? value.slice(0, zone) : value) !== 0;
}

function isSubnet(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  if (prefix === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const family = ipFamily(address);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

const regexCache = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source);
    regexCache.set(source, re);
  }
  return re;
}

/** What is wrong with `value` as a `typeName`, or undefined when it is right. */
export function scalarProblem(
  typeName: string,
  type: BundledType | undefined,
  value: unknown,
): string | undefined {
  if (!type) return `the bundle has no type "${typeName}": re-run scripts/bundleOcsfSchema.ts`;
  const primitive = isPrimitive(type.base, value);
  if (primitive === undefined) {
    return `the bundle gives ${typeName} the base "${type.base}", unknown here: re-run scripts/bundleOcsfSchema.ts`;
  }
  if (!primitive) return `expected ${typeName} (${PRIMITIVE_NAME[type.base]}), found ${describe(value)}`;
  if (type.base === 'integer_t' && ((value as number) < INT32_MIN || (value as number) > INT32_MAX)) {
    return `${value} does not fit ${typeName} (a 32-bit signed integer)`;
  }
  if (type.range && typeof value === 'number' && (value < type.range[0] || value > type.range[1])) {
    return `${value} is outside ${typeName}'s range ${type.range[0]}-${type.range[1]}`;
  }
  if (typeof value !== 'string') return undefined;
  if (type.max_len !== undefined && value.length > type.max_len) {
    return `${value.length} characters, longer than ${typeName}'s maximum of ${type.max_len}`;
  }
  // ip_t's and subnet_t's schema patterns are loose (unescaped dots, no prefix check): parse them instead
  if (typeName === 'ip_t') return isIpAddress(value) ? undefined : `${describe(value)} is not an IP address`;
  if (typeName === 'subnet_t') {
    return isSubnet(value)
      ? undefined
      : `${describe(value)} is not a subnet in CIDR notation (address/prefix)`;
  }
  if (type.regex && !pattern(type.regex).test(value)) {
    return `${describe(value)} does not match ${typeName}'s pattern ${type.regex}`;
  }
  return undefined;
}
