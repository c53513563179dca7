// Metric values through workflow history: NaN and ±Inf tagged on the way in, numbers again before a
// condition sees them (core/analysis/values.ts).
import { describe, expect, it } from '@jest/globals';
import { decodeMetricValue, encodeMetricValue } from '../../core/analysis/values.js';
import type { MetricValue } from '../../core/analysis/types.js';
import { evaluateCondition } from '../../core/expr/index.js';

describe('encodeMetricValue and decodeMetricValue', () => {
  it.each([
    [NaN, { $float: 'NaN' }],
    [Infinity, { $float: '+Inf' }],
    [-Infinity, { $float: '-Inf' }],
    [0.5, 0.5],
    [
      [0.97, NaN],
      [0.97, { $float: 'NaN' }],
    ],
    [
      { rate: Infinity, values: [1, -Infinity], ok: true, note: null },
      { rate: { $float: '+Inf' }, values: [1, { $float: '-Inf' }], ok: true, note: null },
    ],
    ['NaN', 'NaN'],
    [[], []],
  ] as [unknown, MetricValue][])('%p travels as %j', (value, encoded) => {
    expect(encodeMetricValue(value)).toEqual(encoded);
    expect(decodeMetricValue(encoded)).toEqual(value);
  });

  it.each([
    [NaN],
    [[1, NaN, Infinity, -Infinity, 0, -1.5]],
    [{ data: { ok: true, rates: [0.99, NaN], nested: [[Infinity]] }, name: 'x' }],
    ['text'],
    [null],
    [false],
    [[{ a: [] }, {}]],
  ])('%p comes back the same through JSON', (value) => {
    const history = JSON.parse(JSON.stringify(encodeMetricValue(value))) as MetricValue;
    expect(decodeMetricValue(history)).toEqual(value);
    expect(encodeMetricValue(decodeMetricValue(history))).toEqual(history);
  });

  it('leaves maps alone that only look a little like tags', () => {
    expect(decodeMetricValue({ $float: 'NaN', extra: 1 })).toEqual({ $float: 'NaN', extra: 1 });
    expect(decodeMetricValue({ $float: 'nan' })).toEqual({ $float: 'nan' });
    expect(decodeMetricValue({ $float: 1 })).toEqual({ $float: 1 });
  });

  it.each([
    [undefined, 'cannot encode undefined at $ as a metric value'],
    [[1, undefined], 'cannot encode undefined at $[1] as a metric value'],
    [{ a: { b: () => 1 } }, 'cannot encode a function at $.a.b as a metric value'],
    [{ 'x-y': 10n }, 'cannot encode a bigint at $["x-y"] as a metric value'],
    [new Date(0), 'cannot encode a Date at $ as a metric value'],
    [new Map(), 'cannot encode a Map at $ as a metric value'],
    [Symbol('s'), 'cannot encode a symbol at $ as a metric value'],
    [{ $float: 'NaN' }, 'cannot encode the map at $: it would read back as a tagged float'],
  ])('refuses %p', (value, message) => {
    expect(() => encodeMetricValue(value)).toThrow(message);
  });

  it('refuses a cycle, but not a value seen twice', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeMetricValue(cyclic)).toThrow('cannot encode a cycle at $.self');
    const shared = [1];
    expect(encodeMetricValue({ a: shared, b: shared })).toEqual({ a: [1], b: [1] });
  });

  it('keeps a "__proto__" key from the data a key', () => {
    const decoded = decodeMetricValue(JSON.parse('{"__proto__": {"$float": "NaN"}}') as MetricValue);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(evaluateCondition('isNaN(result["__proto__"])', decoded)).toBe(true);
  });

  it('lets conditions see NaN and ±Inf from history', () => {
    const stored = JSON.parse(JSON.stringify(encodeMetricValue([NaN, Infinity]))) as MetricValue;
    const decoded = decodeMetricValue(stored);
    expect(
      evaluateCondition('isNaN(result[0]) && isInf(result[1]) && result[1] > 0', decoded, 'vector'),
    ).toBe(true);
    expect(evaluateCondition('result[0] > 0.9', decoded, 'vector')).toBe(false);
  });
});
