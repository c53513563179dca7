// The web provider's JSONPath subset, pure: what Argo's docs and Kubernetes' JSONPath write.
import { describe, expect, it } from '@jest/globals';
import { JsonPathError, parseJsonPath, selectJsonPath } from '../../activities/metrics/jsonpath.js';

const doc = {
  data: { ok: true, rate: 0.97, name: 'canary', nothing: null },
  items: [{ value: 1 }, { value: 2.5 }, { value: 'three' }],
  'key-with.dot': { 'a b': 7 },
  matrix: [
    [1, 2],
    [3, 4],
  ],
};

describe('selectJsonPath', () => {
  it.each([
    ['{$.data.ok}', true],
    ['{$.data.rate}', 0.97],
    ['$.data.name', 'canary'],
    ['{.data.rate}', 0.97],
    ['.data.rate', 0.97],
    ['data.rate', 0.97],
    ['{ $.data.rate }', 0.97],
    ['{$.items[0].value}', 1],
    ['$.items[1].value', 2.5],
    ['$.items[2].value', 'three'],
    ['$.items[-1].value', 'three'],
    ['$.matrix[1][0]', 3],
    ["$['key-with.dot']['a b']", 7],
    ['$["key-with.dot"]["a b"]', 7],
    ['$.data.nothing', null],
    ['{$.data}', doc.data],
    ['{$}', doc],
    ['$', doc],
  ])('%s', (path, expected) => {
    expect(selectJsonPath(path, doc)).toEqual({ found: true, value: expected });
  });

  it('wildcards select a list', () => {
    expect(selectJsonPath('$.items[*].value', doc)).toEqual({ found: true, value: [1, 2.5, 'three'] });
    expect(selectJsonPath('{.items[*].value}', doc)).toEqual({ found: true, value: [1, 2.5, 'three'] });
    expect(selectJsonPath('$.data.*', { data: { a: 1, b: 2 } })).toEqual({ found: true, value: [1, 2] });
    expect(selectJsonPath('$.items[*].missing', doc)).toEqual({ found: true, value: [] });
  });

  it.each([
    '$.data.missing',
    '$.items[3]',
    '$.items[-4]',
    '$.data.ok.deeper',
    '$.items.value',
    '$.data[0]',
    '$.constructor',
    '$.data.__proto__',
  ])('%s selects nothing', (path) => {
    expect(selectJsonPath(path, doc)).toEqual({ found: false });
  });

  it('selects from a document that is a bare number or list', () => {
    expect(selectJsonPath('{$}', 0.5)).toEqual({ found: true, value: 0.5 });
    expect(selectJsonPath('$[0]', [9, 8])).toEqual({ found: true, value: 9 });
  });
});

describe('parseJsonPath rejects what it does not support, saying where', () => {
  it.each([
    ['{$.a', /"\{" without its "\}"/],
    ['$..a', /recursive descent/],
    ['$.a[0', /"\[" without its "\]"/],
    ['$.a[?(@.b > 1)]', /filters and slices are not supported/],
    ['$.a[0:2]', /filters and slices are not supported/],
    ['$.a.', /a name is missing/],
    ['$.a]', /unexpected "\]"/],
  ])('%s', (path, message) => {
    expect(() => parseJsonPath(path)).toThrow(JsonPathError);
    expect(() => parseJsonPath(path)).toThrow(message);
  });
});
