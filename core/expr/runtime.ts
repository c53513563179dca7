// The values conditions work on, and expr-lang's rules for them (vm/runtime): JSON-shaped data (nil,
// bool, number, string, array, map) where numbers may also be NaN or ±Inf. Maps are read through
// their own data properties only, so no condition can reach a prototype, a getter or a function.

import { isPlainObject } from '../json.js';
import { shorten } from '../text.js';
import { ExpressionEvalError } from './errors.js';
import { GoDuration, GoTime } from './time.js';

export type TypeName =
  'nil' | 'bool' | 'number' | 'string' | 'array' | 'map' | 'time' | 'duration' | 'unsupported value';

export type ValueMap = Record<string, unknown>;

export function typeName(value: unknown): TypeName {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (Array.isArray(value)) return 'array';
      if (value instanceof GoTime) return 'time';
      if (value instanceof GoDuration) return 'duration';
      return isPlainObject(value) ? 'map' : 'unsupported value';
  }
}

/** A value for an error message, in the expression's own spelling (nil, NaN, +Inf), kept short. */
export function show(value: unknown): string {
  return shorten(render(value, 0));
}

function render(value: unknown, depth: number): string {
  value = nil(value);
  if (value === null) return 'nil';
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (depth > 2) return '…';
  const items = (list: string[], more: boolean): string => list.join(', ') + (more ? ', …' : '');
  if (Array.isArray(value)) {
    return `[${items(
      value.slice(0, 5).map((item) => render(item, depth + 1)),
      value.length > 5,
    )}]`;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const entries = keys
      .slice(0, 5)
      .map((key) => `${JSON.stringify(key)}: ${render(ownValue(value, key), depth + 1)}`);
    return `{${items(entries, keys.length > 5)}}`;
  }
  return typeName(value);
}

/** A type and, for scalars, the value: `number (0.5)`, `string ("ok")`, `nil`, `array`. */
export function describe(value: unknown): string {
  const type = typeName(value);
  return type === 'bool' || type === 'number' || type === 'string' ? `${type} (${show(value)})` : type;
}

export function fail(message: string): never {
  throw new ExpressionEvalError(message);
}

/** A map's own data property; anything inherited, or an accessor, is not there. */
export function ownValue(map: ValueMap, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(map, key);
  return descriptor === undefined || !('value' in descriptor) ? undefined : (descriptor.value as unknown);
}

export function hasOwn(map: ValueMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** Absent values (a missing key, an array hole) read as nil. */
export function nil(value: unknown): unknown {
  return value === undefined ? null : value;
}

/**
 * expr-lang's Equal: numbers by value (NaN equals nothing), nil only nil, arrays and maps deeply
 * (reflect.DeepEqual), values of different types are simply not equal.
 */
export function equal(a: unknown, b: unknown): boolean {
  a = nil(a);
  b = nil(b);
  if (a === null || b === null) return a === b;
  if ((a instanceof GoTime && b instanceof GoTime) || (a instanceof GoDuration && b instanceof GoDuration)) {
    return a.ns === b.ns;
  }
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => equal(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => hasOwn(b, key) && equal(ownValue(a, key), ownValue(b, key)))
    );
  }
  return false;
}

export type ComparisonOperator = '<' | '<=' | '>' | '>=';

/** Numbers numerically (NaN compares false, as in Go), strings by code point; anything else is an error. */
export function compare(operator: ComparisonOperator, a: unknown, b: unknown): boolean {
  let order: number;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    order = a < b ? -1 : a > b ? 1 : 0;
  } else if (typeof a === 'string' && typeof b === 'string') {
    order = compareStrings(a, b);
  } else if (
    (a instanceof GoTime && b instanceof GoTime) ||
    (a instanceof GoDuration && b instanceof GoDuration)
  ) {
    order = a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
  } else {
    fail(`cannot compare ${typeName(a)} and ${typeName(b)} with ${operator}`);
  }
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** Go compares strings byte by byte in UTF-8, which is code point order (UTF-16 units are not). */
function compareStrings(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const x = left[i]?.codePointAt(0) ?? 0;
    const y = right[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

export function asBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what} must be a bool, got ${describe(value)}`);
  return value;
}

export function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') fail(`${what} must be a number, got ${describe(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(`${what} must be an array, got ${describe(value)}`);
  return value;
}

/** An index or slice bound: a whole number (expr-lang's ints), counted from the end when negative. */
export function asIndex(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(`${what} must be an integer, got ${describe(value)}`);
  }
  return value;
}

/** `x.name`, `x[i]`, `x["key"]`: arrays and strings by position (negative from the end), maps by key. */
export function fetch(from: unknown, key: unknown): unknown {
  from = nil(from);
  if (Array.isArray(from) || typeof from === 'string') {
    const items: readonly unknown[] = typeof from === 'string' ? [...from] : from;
    if (typeof key === 'string') fail(`cannot fetch ${JSON.stringify(key)} from ${typeName(from)}`);
    const index = asIndex(key, `${typeName(from)} index`);
    const at = index < 0 ? items.length + index : index;
    if (at < 0 || at >= items.length) fail(`index ${index} out of range (len ${items.length})`);
    return nil(items[at]);
  }
  if (isPlainObject(from)) {
    if (typeof key !== 'string') fail(`map key must be a string, got ${describe(key)}`);
    return nil(ownValue(from, key));
  }
  return fail(`cannot fetch ${show(key)} from ${describe(from)}`);
}

/** `x[a:b]` on an array or a string; bounds default to the ends, are clamped, and may be negative. */
export function slice(from: unknown, start: unknown, end: unknown): unknown {
  if (!Array.isArray(from) && typeof from !== 'string') fail(`cannot slice ${describe(from)}`);
  const items: readonly unknown[] = typeof from === 'string' ? [...from] : from;
  const bound = (value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    const index = asIndex(value, 'slice bound');
    return Math.min(Math.max(index < 0 ? items.length + index : index, 0), items.length);
  };
  const to = bound(end, items.length);
  const part = items.slice(Math.min(bound(start, 0), to), to);
  return typeof from === 'string' ? part.join('') : part;
}

export function length(value: unknown, what: string): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'string') return [...value].length;
  if (isPlainObject(value)) return Object.keys(value).length;
  return fail(`${what} must be an array, a string or a map, got ${describe(value)}`);
}
