// RFC 7386 JSON merge patches made from two documents: what turns `from` into `to`, and nothing else.
// The status writer sends only what changed since its last write, so a field someone else set in
// between (the plugin's `abort`, `pauseConditions: null`) stands unless this write changes it too.
import { isObject } from '../json.js';

type Json = unknown;

/**
 * The merge patch from `from` to `to` (both JSON objects): keys whose values differ, objects recursed
 * into, arrays and scalars replaced whole, a key gone as null. Undefined when nothing differs.
 */
export function mergePatchBetween(
  from: Readonly<Record<string, Json>>,
  to: Readonly<Record<string, Json>>,
): Record<string, Json> | undefined {
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(from)) if (!(key in to) && from[key] !== undefined) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) {
      if (from[key] !== undefined) patch[key] = null;
      continue;
    }
    const before = from[key];
    if (isObject(before) && isObject(value)) {
      const inner = mergePatchBetween(before, value);
      if (inner) patch[key] = inner;
    } else if (!sameJson(before, value)) {
      // A null inside `to` cannot be said in a merge patch (it means "delete"): delete is what it gets.
      patch[key] = value;
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}

/** Applies a merge patch as the API server does (RFC 7386): for tests and for reading back. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Equal as JSON, key order aside. */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
    return keys.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}
