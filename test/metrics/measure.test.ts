// The `measure` activity as the worker registers it (createMetricActivities), with secrets from a
// stand-in for the Secret API (test/metrics/secret-args.test.ts reads them from a real kube-apiserver):
// provider choice, unresolved args, masking of secrets echoed back, the size limit, cancellation.
import { describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi, V1Secret } from '@kubernetes/client-node';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMetricActivities, MAX_VALUE_BYTES } from '../../activities/metrics/index.js';
import { Kube } from '../../activities/kube.js';
import type { MeasureInput, MetricProvider } from '../../core/analysis/types.js';
import { LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';

const TOKEN = 'tok-3f9a7c1e';

/** Only what readIfExists calls: one Secret "api" with key "token". */
const secretApi = {
  read: (header: { metadata: { name: string } }) => {
    if (header.metadata.name !== 'api')
      return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
    const secret: V1Secret = { data: { token: Buffer.from(TOKEN).toString('base64') } };
    return Promise.resolve(secret);
  },
} as unknown as KubernetesObjectApi;

const { measure } = createMetricActivities({ kube: new Kube(secretApi) });
// Echoes what it was sent, as a careless (or hostile) endpoint might.
const server = useLocalHttpServer((req, res) =>
  LocalHttpServer.json(res, { ok: true, saw: { url: req.url, auth: req.headers.authorization } }),
);

function input(provider: MetricProvider, secretArgs: MeasureInput['secretArgs'] = []): MeasureInput {
  return { namespace: 'rollouts-demo', metric: 'm', provider, secretArgs };
}
const tokenArg = [{ name: 'token', secretName: 'api', key: 'token' }];

it('asks the web provider, without a Secret when there are no secret args', async () => {
  expect(await measure(input({ web: { url: `${server.url}/x`, method: 'GET', jsonPath: '$.ok' } }))).toEqual({
    value: true,
  });
});

it('asks the Prometheus provider', async () => {
  server.handler = (_req, res) =>
    LocalHttpServer.json(res, { status: 'success', data: { resultType: 'scalar', result: [1, '2'] } });
  expect(await measure(input({ prometheus: { address: server.url, query: '1+1' } }))).toEqual({ value: 2 });
});

it('a provider we do not know is an error', async () => {
  expect(await measure(input({ job: {} } as unknown as MetricProvider))).toEqual({
    error: 'the metric has no provider that we support (prometheus, web)',
  });
});

it('an arg with no value is an error naming it', async () => {
  expect(await measure(input({ web: { url: `${server.url}/{{args.who}}`, method: 'GET' } }))).toEqual({
    error: '{{args.who}} has no value',
  });
  expect(server.requests).toHaveLength(0);
});

describe('secret values are sent, never returned', () => {
  it('echoed back in the value: masked', async () => {
    const provider: MetricProvider = {
      web: {
        url: `${server.url}/q/{{args.token}}`,
        method: 'GET',
        headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
        jsonPath: '$.saw',
      },
    };
    const result = await measure(input(provider, tokenArg));
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0]?.url).toBe(`/q/${TOKEN}`);
    expect(result).toEqual({ value: { url: '/q/***', auth: 'Bearer ***' } });
  });

  it('in a failing URL: masked in the message', async () => {
    server.handler = (_req, res) => {
      res.writeHead(502);
      res.end();
    };
    const result = await measure(
      input({ web: { url: `${server.url}/{{args.token}}/metrics`, method: 'GET' } }, tokenArg),
    );
    expect(result).toEqual({ error: `GET ${server.url}/***/metrics: HTTP 502 Bad Gateway (expected 2xx)` });
  });

  it('masked before a long message is cut: no prefix of the secret survives the cut', async () => {
    server.handler = (_req, res) => {
      res.writeHead(502);
      res.end();
    };
    // The token (12 characters) starts at character 295 of the message: across the 300-character cut.
    const padding = 'p'.repeat(295 - `GET ${server.url}/`.length - 1);
    const { error } = await measure(
      input({ web: { url: `${server.url}/${padding}/{{args.token}}`, method: 'GET' } }, tokenArg),
    );
    expect(error?.startsWith(`GET ${server.url}/${padding}/***`)).toBe(true);
    expect(error).toHaveLength(300);
    expect(error).not.toContain(TOKEN.slice(0, 3));
  });

  it('in a Prometheus address: masked in the message', async () => {
    server.handler = (_req, res) => {
      res.writeHead(401);
      res.end();
    };
    const result = await measure(
      input({ prometheus: { address: `${server.url}/{{args.token}}`, query: 'up' } }, tokenArg),
    );
    expect(result).toEqual({ error: `Prometheus at ${server.url}/***: HTTP 401 Unauthorized` });
  });

  it('a missing Secret or key is an error naming it', async () => {
    const provider: MetricProvider = { web: { url: `${server.url}/{{args.token}}`, method: 'GET' } };
    expect(await measure(input(provider, [{ name: 'token', secretName: 'nope', key: 'token' }]))).toEqual({
      error: 'arg "token": Secret rollouts-demo/nope not found',
    });
    expect(await measure(input(provider, [{ name: 'token', secretName: 'api', key: 'password' }]))).toEqual({
      error: 'arg "token": Secret rollouts-demo/api has no key "password"',
    });
    expect(server.requests).toHaveLength(0);
  });
});

it('a value larger than the limit is an error, not history', async () => {
  server.handler = (_req, res) =>
    LocalHttpServer.json(res, { items: Array.from({ length: 5000 }, (_, i) => i) });
  const { error } = await measure(input({ web: { url: server.url, method: 'GET', jsonPath: '$.items' } }));
  expect(error).toMatch(new RegExp(`^the value is \\d+ bytes of JSON, more than ${MAX_VALUE_BYTES}`));
});

it('cancelling the activity stops the request and throws the cancellation', async () => {
  server.handler = () => undefined; // never answers
  const env = new MockActivityEnvironment();
  const pending = env.run(measure, input({ web: { url: server.url, method: 'GET', timeoutSeconds: 30 } }));
  setTimeout(() => env.cancel('CANCELLED'), 200);
  const started = Date.now();
  await expect(pending).rejects.toBeInstanceOf(CancelledFailure);
  expect(Date.now() - started).toBeLessThan(5000);
});
