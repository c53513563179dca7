// More of expr-lang's builtins (builtin/builtin.go) that Argo's conditions can call: strings, maps,
// arrays and type names. Each follows expr-lang's Go implementation for the values a measurement has.

import { isPlainObject } from '../json.js';
import type { Call, FunctionSpec } from './functions.js';
import { asArray, describe, fail, nil, show, typeName } from './runtime.js';
import { now, parseDate, parseDuration } from './time.js';

function text(call: Call, index: number, name: string): string {
  const value = call.value(index);
  if (typeof value !== 'string') fail(`${name}() needs a string, got ${describe(value)}`);
  return value;
}

function map(call: Call, name: string): Record<string, unknown> {
  const value = call.value(0);
  if (!isPlainObject(value)) fail(`${name}() needs a map, got ${describe(value)}`);
  return value;
}

const fixed = (count: number, signature: string, apply: (call: Call) => unknown): FunctionSpec => ({
  min: count,
  max: count,
  signature,
  apply,
});

const stringFunction = (name: string, apply: (s: string) => unknown): FunctionSpec =>
  fixed(1, `${name}(string)`, (call) => apply(text(call, 0, name)));

/** Go's sort order for the values sort() accepts: numbers, or strings. */
function sorted(values: unknown[]): unknown[] {
  if (values.every((v) => typeof v === 'number')) return [...values].sort((a, b) => a - b);
  if (values.every((v) => typeof v === 'string'))
    return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return fail('sort() needs an array of numbers or of strings');
}

/** String of a value, as expr-lang's string() (fmt.Sprintf("%v")). */
function goString(value: unknown): string {
  value = nil(value);
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return show(value).replace(/^\+Inf$/, '+Inf');
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (isPlainObject(value)) {
    // fmt's %v of a map: keys sorted, key:value pairs separated by spaces.
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${keys.map((key) => `${key}:${goString(value[key])}`).join(' ')}]`;
  }
  return fail(`string() of ${describe(value)} is not supported`);
}

/** Go's strings.Index counts bytes of UTF-8; JavaScript's indexOf counts UTF-16 units. */
function codePointIndex(s: string, unitIndex: number): number {
  return unitIndex < 0 ? -1 : new TextEncoder().encode(s.slice(0, unitIndex)).length;
}

function join(call: Call): string {
  const list = asArray(call.value(0), 'join()');
  const glue = call.count > 1 ? text(call, 1, 'join') : '';
  return list
    .map((item) => (typeof item === 'string' ? item : fail(`join() needs strings, got ${describe(item)}`)))
    .join(glue);
}

export const MORE_FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  now: { min: 0, max: 0, signature: 'now()', apply: () => now() },
  duration: fixed(1, 'duration(string)', (call) => parseDuration(text(call, 0, 'duration'))),
  date: {
    min: 1,
    max: 3,
    signature: 'date(string)',
    apply: (call) =>
      call.count > 1
        ? fail('date() with a layout or a time zone is not supported yet: write the date as RFC 3339')
        : parseDate(text(call, 0, 'date')),
  },
  indexOf: fixed(2, 'indexOf(string, part)', (call) =>
    codePointIndex(text(call, 0, 'indexOf'), text(call, 0, 'indexOf').indexOf(text(call, 1, 'indexOf'))),
  ),
  lastIndexOf: fixed(2, 'lastIndexOf(string, part)', (call) =>
    codePointIndex(
      text(call, 0, 'lastIndexOf'),
      text(call, 0, 'lastIndexOf').lastIndexOf(text(call, 1, 'lastIndexOf')),
    ),
  ),
  join: { min: 1, max: 2, signature: 'join(array[, glue])', apply: join },
  upper: stringFunction('upper', (s) => s.toUpperCase()),
  lower: stringFunction('lower', (s) => s.toLowerCase()),
  trim: stringFunction('trim', (s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')),
  trimPrefix: fixed(2, 'trimPrefix(string, prefix)', (call) => {
    const s = text(call, 0, 'trimPrefix');
    const prefix = text(call, 1, 'trimPrefix');
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  }),
  trimSuffix: fixed(2, 'trimSuffix(string, suffix)', (call) => {
    const s = text(call, 0, 'trimSuffix');
    const suffix = text(call, 1, 'trimSuffix');
    return suffix !== '' && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
  }),
  split: fixed(2, 'split(string, separator)', (call) => text(call, 0, 'split').split(text(call, 1, 'split'))),
  replace: fixed(3, 'replace(string, old, new)', (call) =>
    text(call, 0, 'replace')
      .split(text(call, 1, 'replace'))
      .join(text(call, 2, 'replace')),
  ),
  repeat: fixed(2, 'repeat(string, n)', (call) => {
    const n = call.value(1);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      fail(`repeat() needs a count, got ${describe(n)}`);
    return text(call, 0, 'repeat').repeat(n);
  }),
  hasPrefix: fixed(2, 'hasPrefix(string, prefix)', (call) =>
    text(call, 0, 'hasPrefix').startsWith(text(call, 1, 'hasPrefix')),
  ),
  hasSuffix: fixed(2, 'hasSuffix(string, suffix)', (call) =>
    text(call, 0, 'hasSuffix').endsWith(text(call, 1, 'hasSuffix')),
  ),
  string: fixed(1, 'string(value)', (call) => goString(call.value(0))),
  keys: fixed(1, 'keys(map)', (call) => Object.keys(map(call, 'keys'))),
  values: fixed(1, 'values(map)', (call) => Object.values(map(call, 'values'))),
  get: fixed(2, 'get(array | map, key)', (call) => {
    const from = nil(call.value(0));
    const key = call.value(1);
    if (Array.isArray(from)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) return null;
      const at = key < 0 ? from.length + key : key;
      return at >= 0 && at < from.length ? nil(from[at]) : null;
    }
    if (isPlainObject(from)) {
      if (typeof key !== 'string') fail(`get() on a map needs a string key, got ${describe(key)}`);
      return Object.prototype.hasOwnProperty.call(from, key) ? nil(from[key]) : null;
    }
    return fail(`get() needs an array or a map, got ${describe(from)}`);
  }),
  sort: {
    min: 1,
    max: 2,
    signature: 'sort(array)',
    apply: (call) => sorted(asArray(call.value(0), 'sort()')),
  },
  reverse: fixed(1, 'reverse(array)', (call) => [...asArray(call.value(0), 'reverse()')].reverse()),
  concat: {
    min: 1,
    max: 16,
    signature: 'concat(array, ...)',
    apply: (call) => Array.from({ length: call.count }, (_, i) => asArray(call.value(i), 'concat()')).flat(),
  },
  type: fixed(1, 'type(value)', (call) => {
    const value = call.value(0);
    const name = typeName(value);
    if (name === 'time') return 'time.Time';
    if (name === 'duration') return 'time.Duration';
    return name === 'number' ? 'float' : name;
  }),
};
