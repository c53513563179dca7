// Metric values in and out of workflow history. JSON has no NaN or ±Inf, and Temporal's JSON
// converter would silently turn them into null, so they travel tagged as { $float: 'NaN' | '+Inf' |
// '-Inf' } (types.ts) and become numbers again just before a condition is evaluated. Pure.

import { isPlainObject } from '../json.js';
import type { MetricValue } from './types.js';

type FloatTag = 'NaN' | '+Inf' | '-Inf';

const TAGGED: Readonly<Record<FloatTag, number>> = { NaN: NaN, '+Inf': Infinity, '-Inf': -Infinity };

/** `{ $float: 'NaN' }` and its siblings: an object with that one key and one of the three tags. */
function floatTag(value: unknown): FloatTag | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  const tag = value.$float;
  return keys.length === 1 && keys[0] === '$float' && (tag === 'NaN' || tag === '+Inf' || tag === '-Inf')
    ? tag
    : undefined;
}

/** The value a condition sees: tagged floats become NaN, Infinity or -Infinity, at any depth. */
export function decodeMetricValue(value: MetricValue): unknown {
  if (Array.isArray(value)) return value.map(decodeMetricValue);
  if (value === null || typeof value !== 'object') return value;
  const tag = floatTag(value);
  if (tag !== undefined) return TAGGED[tag];
  // fromEntries defines own properties, so a "__proto__" key in the data stays a plain key.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decodeMetricValue(item)]));
}

/**
 * What a provider measured, made fit for history: NaN and ±Inf tagged at any depth, everything else
 * as JSON has it. Throws a TypeError, naming where, for anything JSON cannot carry (undefined, a
 * function, a bigint, a Date or other class instance, a cycle) and for a map that would read back as
 * a tagged float.
 */
export function encodeMetricValue(value: unknown): MetricValue {
  return encode(value, '$', new Set());
}

function encode(value: unknown, path: string, ancestors: Set<object>): MetricValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $float: 'NaN' };
    if (value === Infinity) return { $float: '+Inf' };
    if (value === -Infinity) return { $float: '-Inf' };
    return value;
  }
  if (typeof value !== 'object') {
    throw new TypeError(`cannot encode ${describe(value)} at ${path} as a metric value`);
  }
  if (ancestors.has(value)) throw new TypeError(`cannot encode a cycle at ${path} as a metric value`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return Array.from({ length: value.length }, (_, index) =>
        encode(value[index] as unknown, `${path}[${index}]`, ancestors),
      );
    }
    if (!isPlainObject(value)) {
      throw new TypeError(`cannot encode ${describe(value)} at ${path} as a metric value`);
    }
    if (floatTag(value) !== undefined) {
      throw new TypeError(`cannot encode the map at ${path}: it would read back as a tagged float`);
    }
    const entries = Object.keys(value).map((key): [string, MetricValue] => {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      const item =
        descriptor !== undefined && 'value' in descriptor ? (descriptor.value as unknown) : undefined;
      return [
        key,
        encode(
          item,
          `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`,
          ancestors,
        ),
      ];
    });
    return Object.fromEntries(entries);
  } finally {
    ancestors.delete(value);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
      ?.name;
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}
