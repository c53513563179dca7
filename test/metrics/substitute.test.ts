// Secret args put into every string of a provider, and the mask that keeps their values out of results.
import { describe, expect, it } from '@jest/globals';
import { MASK, SecretMask } from '../../activities/metrics/secrets.js';
import { substituteSecretArgs } from '../../activities/metrics/substitute.js';
import type { MetricProvider } from '../../core/analysis/types.js';

describe('substituteSecretArgs', () => {
  it('replaces {{args.x}} in every string: url, headers, body, jsonBody, nested lists', () => {
    const provider: MetricProvider = {
      web: {
        url: 'https://metrics.example.com/{{args.tenant}}/q?token={{ args.api-token }}',
        method: 'POST',
        headers: [{ key: 'Authorization', value: 'Bearer {{args.api-token}}' }],
        body: 'tenant={{args.tenant}}',
        jsonBody: { auth: { token: '{{args.api-token}}' }, list: ['{{args.tenant}}', 3, true, null] },
        jsonPath: '{$.data.ok}',
      },
    };
    const { provider: result, unresolved } = substituteSecretArgs(provider, {
      'api-token': 's3cr3t',
      tenant: 'team-a',
    });
    expect(unresolved).toEqual([]);
    expect(result).toEqual({
      web: {
        url: 'https://metrics.example.com/team-a/q?token=s3cr3t',
        method: 'POST',
        headers: [{ key: 'Authorization', value: 'Bearer s3cr3t' }],
        body: 'tenant=team-a',
        jsonBody: { auth: { token: 's3cr3t' }, list: ['team-a', 3, true, null] },
        jsonPath: '{$.data.ok}',
      },
    });
    // The input is left as it was (it is the workflow's, and may be used again).
    expect(provider.web?.headers?.[0]?.value).toBe('Bearer {{args.api-token}}');
  });

  it('replaces in the Prometheus address, query and headers', () => {
    const { provider } = substituteSecretArgs(
      {
        prometheus: {
          address: 'http://{{args.host}}:9090',
          query: 'up{job="{{args.host}}"}',
          headers: [{ key: 'X-Token', value: '{{args.host}}' }],
        },
      },
      { host: 'prom' },
    );
    expect(provider.prometheus).toEqual({
      address: 'http://prom:9090',
      query: 'up{job="prom"}',
      headers: [{ key: 'X-Token', value: 'prom' }],
    });
  });

  it('reports placeholders it has no value for and leaves them as they were', () => {
    const { provider, unresolved } = substituteSecretArgs(
      { web: { url: 'http://x/{{args.a}}/{{args.b}}/{{args.a}}', method: 'GET' } },
      { b: 'B' },
    );
    expect(unresolved).toEqual(['a']);
    expect(provider.web?.url).toBe('http://x/{{args.a}}/B/{{args.a}}');
  });

  it('a value is inserted as written: "$&" and "{{args.other}}" in a secret are not patterns', () => {
    const { provider } = substituteSecretArgs(
      { web: { url: 'http://x/{{args.a}}', method: 'GET' } },
      { a: '$&{{args.b}}', b: 'no' },
    );
    expect(provider.web?.url).toBe('http://x/$&{{args.b}}');
  });
});

describe('SecretMask', () => {
  it('masks values as written and URL-encoded, in text and in every string of a value', () => {
    const mask = new SecretMask(['p@ss word/1', 'tok']);
    expect(mask.text('http://h/p%40ss%20word%2F1?x=tok and p@ss word/1')).toBe(
      `http://h/${MASK}?x=${MASK} and ${MASK}`,
    );
    expect(mask.value({ header: 'Bearer tok', list: ['tok', 1, { tok: true }], n: 5 })).toEqual({
      header: `Bearer ${MASK}`,
      list: [MASK, 1, { [MASK]: true }],
      n: 5,
    });
  });

  it('masks a longer secret whole even when it contains a shorter one', () => {
    expect(new SecretMask(['ab', 'xxabxx']).text('1xxabxx2')).toBe(`1${MASK}2`);
  });

  it('ignores empty secrets and leaves tagged floats alone', () => {
    const mask = new SecretMask(['', 'NaN']);
    expect(mask.text('abc')).toBe('abc');
    expect(mask.value({ $float: 'NaN' })).toEqual({ $float: 'NaN' });
  });
});
