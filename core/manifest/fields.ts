// Typed readers for untyped YAML. Each reports a wrong or missing value into Issues and returns the
// value only when it is usable, so a validator can carry on and collect every problem of a document.
// `null` counts as absent, as it does when Kubernetes decodes JSON into its types.

import { parseDuration, DurationError } from '../duration.js';
import { isObject } from '../json.js';
import { Issues, render, type FieldPath } from './errors.js';

export type JsonMap = Record<string, unknown>;

export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

interface Presence {
  /** Report a missing value (and return undefined). */
  required?: boolean;
}

export function readMap(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  expected: string,
  options: Presence = {},
): JsonMap | undefined {
  if (isAbsent(value)) {
    if (options.required) issues.add(path, undefined, expected);
    return undefined;
  }
  if (!isObject(value)) {
    issues.wrongType(path, value, expected);
    return undefined;
  }
  return value;
}

export function readList(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  expected: string,
  options: Presence & { nonEmpty?: boolean } = {},
): unknown[] | undefined {
  if (isAbsent(value)) {
    if (options.required) issues.add(path, undefined, expected);
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.wrongType(path, value, expected);
    return undefined;
  }
  if (options.nonEmpty && value.length === 0) {
    issues.add(path, value, expected, `the list is empty, expected ${expected}`);
    return undefined;
  }
  return value as unknown[];
}

export function readString(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  expected: string,
  options: Presence & { nonEmpty?: boolean } = {},
): string | undefined {
  if (isAbsent(value)) {
    if (options.required) issues.add(path, undefined, expected);
    return undefined;
  }
  if (typeof value !== 'string') {
    issues.wrongType(path, value, expected);
    return undefined;
  }
  if (options.nonEmpty && value === '') {
    issues.add(path, value, expected, `an empty string, expected ${expected}`);
    return undefined;
  }
  return value;
}

export function readBoolean(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  options: Presence = {},
): boolean | undefined {
  const expected = 'true or false';
  if (isAbsent(value)) {
    if (options.required) issues.add(path, undefined, expected);
    return undefined;
  }
  if (typeof value !== 'boolean') {
    issues.wrongType(path, value, expected);
    return undefined;
  }
  return value;
}

interface IntegerRange extends Presence {
  min?: number;
  max?: number;
}

/** The phrase for an integer range: "an integer between 0 and 100", "a non-negative integer", … */
export function describeInteger(range: IntegerRange): string {
  const { min, max } = range;
  if (min !== undefined && max !== undefined) return `an integer between ${min} and ${max}`;
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return 'an integer';
}

export function readInteger(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  range: IntegerRange = {},
): number | undefined {
  const expected = describeInteger(range);
  if (isAbsent(value)) {
    if (range.required) issues.add(path, undefined, expected);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.wrongType(path, value, expected);
    return undefined;
  }
  return checkIntegerRange(issues, value, path, range) ? value : undefined;
}

export function checkIntegerRange(
  issues: Issues,
  value: number,
  path: FieldPath,
  range: IntegerRange,
): boolean {
  const { min, max } = range;
  const expected = describeInteger(range);
  if (min !== undefined && max !== undefined && (value < min || value > max)) {
    issues.add(path, value, expected, `${value} is not between ${min} and ${max}`);
    return false;
  }
  if (min !== undefined && value < min) {
    const problem = min === 0 ? `${value} is negative` : `${value} is less than ${min}`;
    issues.add(path, value, expected, `${problem}, expected ${expected}`);
    return false;
  }
  if (max !== undefined && value > max) {
    issues.add(path, value, expected, `${value} is more than ${max}, expected ${expected}`);
    return false;
  }
  return true;
}

export const DURATION_EXPECTED = 'a duration: seconds as a number, or a string like "30s", "10m", "1h30m"';

/** Seconds, or undefined when absent or wrong (reported). */
export function readDuration(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  options: Presence = {},
): number | undefined {
  if (isAbsent(value)) {
    if (options.required) issues.add(path, undefined, DURATION_EXPECTED);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    issues.wrongType(path, value, DURATION_EXPECTED);
    return undefined;
  }
  try {
    return parseDuration(value);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    issues.add(path, value, DURATION_EXPECTED, error.message);
    return undefined;
  }
}

/** Reports each key of `map` that is not in `known`, listing the known ones. */
export function checkKnownFields(
  issues: Issues,
  map: JsonMap,
  path: FieldPath,
  known: readonly string[],
): void {
  for (const key of Object.keys(map)) {
    if (!known.includes(key)) {
      const expected = `one of ${known.join(', ')}`;
      issues.add([...path, key], key, expected, `unknown field "${key}", expected ${expected}`);
    }
  }
}

/** The keys of `map` among `candidates` that are set (not null), in the candidates' order. */
export function presentKeys(map: JsonMap, candidates: readonly string[]): string[] {
  return candidates.filter((key) => !isAbsent(map[key]));
}

/** Reports the second and later occurrences of each name in a list. */
export function checkUnique(
  issues: Issues,
  names: readonly (string | undefined)[],
  pathOf: (index: number) => FieldPath,
  what: string,
): void {
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else
      issues.add(
        pathOf(index),
        name,
        `a unique ${what}`,
        `${render(name)} repeats the ${what} of item [${first}]`,
      );
  });
}

/** Kubernetes drops null fields when it decodes an object; so do we, so typed readers never meet them. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isObject(value)) return value;
  const result: JsonMap = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) result[key] = dropNulls(field);
  }
  return result;
}

/** "a and b are both set" / "a, b and c are all set": for exactly-one-of rules. */
export function describeSeveralSet(keys: readonly string[]): string {
  if (keys.length === 2) return `${keys[0]} and ${keys[1]} are both set`;
  return `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]} are all set`;
}
