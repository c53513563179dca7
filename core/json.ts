// Plain JSON values as workflow history, manifests and payloads carry them: which values are maps,
// and the one walk that rewrites every string in a value (the `{{args.x}}` substitution uses it).

/** A map: an object that is neither null nor an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A map made by JSON or an object literal (prototype Object or none): what conditions may read, so
 * that no expression reaches a class instance, its getters or its prototype.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Where a string sits in a value: keys and list indexes from the top. */
export type JsonPath = readonly (string | number)[];

/**
 * A copy of `value` with every string (in lists and maps, at any depth; keys are kept) replaced by
 * `replace(text, path)`. Pure, and key order is kept, so the copy is the same JSON when nothing changes.
 */
export function mapStrings<T>(value: T, replace: (text: string, path: JsonPath) => string): T {
  const walk = (node: unknown, path: JsonPath): unknown => {
    if (typeof node === 'string') return replace(node, path);
    if (Array.isArray(node)) return node.map((item: unknown, index) => walk(item, [...path, index]));
    if (isObject(node))
      return Object.fromEntries(
        Object.entries(node).map(([key, field]) => [key, walk(field, [...path, key])]),
      );
    return node;
  };
  return walk(value, []) as T;
}
