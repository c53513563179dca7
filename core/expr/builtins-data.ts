// expr-lang's builtins for arrays, JSON, base64 and bits (builtin/builtin.go), as Argo's conditions can
// call them: take, uniq, flatten, reduce, toJSON, fromJSON, toBase64, fromBase64, bitand and friends.

import { isPlainObject } from '../json.js';
import type { Call, FunctionSpec } from './functions.js';
import { asArray, describe, equal, fail, nil } from './runtime.js';

const fixed = (count: number, signature: string, apply: (call: Call) => unknown): FunctionSpec => ({
  min: count,
  max: count,
  signature,
  apply,
});

function text(call: Call, index: number, name: string): string {
  const value = call.value(index);
  if (typeof value !== 'string') fail(`${name}() needs a string, got ${describe(value)}`);
  return value;
}

function integer(call: Call, index: number, name: string): number {
  const value = call.value(index);
  if (typeof value !== 'number' || !Number.isInteger(value))
    fail(`${name}() needs ints, got ${describe(value)}`);
  return value;
}

function flatten(list: unknown[]): unknown[] {
  return list.flatMap((item) => (Array.isArray(item) ? flatten(item) : [item]));
}

/** Go's json.MarshalIndent(v, "", "  "): NaN and ±Inf cannot be encoded; keys sorted as Go sorts them. */
function toJSON(value: unknown, indent: string): string {
  value = nil(value);
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(`json: unsupported value: ${String(value)}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + toJSON(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length === 0) return '{}';
    const entries = keys.map((key) => `${inner}${JSON.stringify(key)}: ${toJSON(value[key], inner)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return fail(`toJSON() cannot encode ${describe(value)}`);
}

const bits = (name: string, apply: (a: bigint, b: bigint) => bigint): FunctionSpec =>
  fixed(2, `${name}(int, int)`, (call) =>
    Number(BigInt.asIntN(64, apply(BigInt(integer(call, 0, name)), BigInt(integer(call, 1, name))))),
  );

export const DATA_FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  take: fixed(2, 'take(array, n)', (call) => {
    const list = asArray(call.value(0), 'take()');
    return list.slice(0, Math.max(0, integer(call, 1, 'take')));
  }),
  uniq: fixed(1, 'uniq(array)', (call) =>
    asArray(call.value(0), 'uniq()').reduce<unknown[]>(
      (kept, item) => (kept.some((k) => equal(k, item)) ? kept : [...kept, item]),
      [],
    ),
  ),
  flatten: fixed(1, 'flatten(array)', (call) => flatten(asArray(call.value(0), 'flatten()'))),
  reduce: {
    min: 2,
    max: 3,
    predicate: true,
    signature: 'reduce(array, step[, initial])',
    apply: (call) => {
      const list = asArray(call.value(0), 'reduce()');
      let start = 0;
      let acc: unknown;
      if (call.count > 2) {
        acc = call.value(2);
      } else {
        if (list.length === 0) fail('reduce() of an empty array needs an initial value');
        acc = nil(list[0]);
        start = 1;
      }
      for (let i = start; i < list.length; i += 1) acc = call.predicate(1, nil(list[i]), i, acc);
      return acc;
    },
  },
  toJSON: fixed(1, 'toJSON(value)', (call) => toJSON(call.value(0), '')),
  fromJSON: fixed(1, 'fromJSON(string)', (call) => {
    try {
      return JSON.parse(text(call, 0, 'fromJSON')) as unknown;
    } catch (error) {
      return fail(`fromJSON(): ${error instanceof Error ? error.message : String(error)}`);
    }
  }),
  toBase64: fixed(1, 'toBase64(string)', (call) =>
    Buffer.from(text(call, 0, 'toBase64'), 'utf8').toString('base64'),
  ),
  fromBase64: fixed(1, 'fromBase64(string)', (call) => {
    const encoded = text(call, 0, 'fromBase64');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) {
      fail(`fromBase64(): illegal base64 data in ${JSON.stringify(encoded)}`);
    }
    return Buffer.from(encoded, 'base64').toString('utf8');
  }),
  bitand: bits('bitand', (a, b) => a & b),
  bitor: bits('bitor', (a, b) => a | b),
  bitxor: bits('bitxor', (a, b) => a ^ b),
  bitnand: bits('bitnand', (a, b) => a & ~b),
  bitshl: bits('bitshl', (a, b) => a << b),
  bitshr: bits('bitshr', (a, b) => a >> b),
  bitnot: fixed(1, 'bitnot(int)', (call) => Number(~BigInt(integer(call, 0, 'bitnot')))),
};
