// Secret args from a real kube-apiserver (a private control plane for this file): the `measure`
// activity, in its activity Context (MockActivityEnvironment), reads the Secret's key, sends it where
// the metric says (an Authorization header here), and returns nothing that contains it. A missing
// Secret or key, and an API server that is down, are Error measurements naming what is missing.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import { createMetricActivities, type MetricActivities } from '../../activities/metrics/index.js';
import { Kube } from '../../activities/kube.js';
import type { MeasureInput, MeasureResult } from '../../core/analysis/types.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';

const NS = 'rollouts-demo';
const TOKEN = 'eyJhbGciOi.secret-bearer.c2lnbmF0dXJl';

let cp: ControlPlane;
// Answers the metric, and echoes the credentials it got back, as a careless endpoint might.
const server = useLocalHttpServer((req, res) =>
  LocalHttpServer.json(res, { data: { successRate: 0.98, caller: req.headers.authorization ?? null } }),
);
let activities: MetricActivities;
const logger = new DefaultLogger((process.env.TEST_LOG as LogLevel | undefined) ?? 'ERROR');

function secret(name: string, data: Record<string, string>): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

beforeAll(async () => {
  cp = await ControlPlane.start('metric-secrets');
  const namespace: V1Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
  await cp.applyObjects(namespace, secret('metrics-api', { token: TOKEN, user: 'rollouts' }));
  activities = createMetricActivities({ kube: Kube.fromKubeconfig(cp.kubeconfigPath) });
}, 120_000);

afterAll(async () => {
  await cp?.stop();
}, 60_000);

function measure(input: Partial<MeasureInput>): Promise<MeasureResult> {
  const full: MeasureInput = {
    namespace: NS,
    metric: 'success-rate',
    provider: {
      web: {
        url: `${server.url}/api/rate`,
        method: 'GET',
        headers: [{ key: 'Authorization', value: 'Bearer {{args.api-token}}' }],
        jsonPath: '{$.data.successRate}',
      },
    },
    secretArgs: [{ name: 'api-token', secretName: 'metrics-api', key: 'token' }],
    ...input,
  };
  return new MockActivityEnvironment(undefined, { logger }).run(activities.measure, full);
}

it("the bearer token from a secretKeyRef reaches the provider's Authorization header, and only there", async () => {
  const result = await measure({});
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(result).toEqual({ value: 0.98 });
  expect(JSON.stringify(result)).not.toContain(TOKEN);
});

it('a token that the endpoint echoes back is masked in the value', async () => {
  const result = await measure({
    provider: {
      web: {
        url: `${server.url}/api/rate`,
        method: 'POST',
        jsonBody: { user: '{{args.user}}' },
        headers: [{ key: 'Authorization', value: 'Bearer {{args.api-token}}' }],
        jsonPath: '$.data',
      },
    },
    secretArgs: [
      { name: 'api-token', secretName: 'metrics-api', key: 'token' },
      { name: 'user', secretName: 'metrics-api', key: 'user' },
    ],
  });
  expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ user: 'rollouts' });
  expect(result).toEqual({ value: { successRate: 0.98, caller: 'Bearer ***' } });
});

it('a token in a URL that fails is masked in the message', async () => {
  server.handler = (_req, res) => {
    res.writeHead(403);
    res.end('forbidden');
  };
  const result = await measure({
    provider: { web: { url: `${server.url}/t/{{args.api-token}}/rate`, method: 'GET' } },
  });
  expect(server.requests[0]?.url).toBe(`/t/${TOKEN}/rate`);
  expect(result).toEqual({ error: `GET ${server.url}/t/***/rate: HTTP 403 Forbidden (expected 2xx)` });
});

it('each measurement reads the Secret again: a rotated token is used at once', async () => {
  await cp.applyObjects(secret('metrics-api', { token: 'rotated-token-2', user: 'rollouts' }));
  try {
    expect(await measure({})).toEqual({ value: 0.98 });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer rotated-token-2');
  } finally {
    await cp.applyObjects(secret('metrics-api', { token: TOKEN, user: 'rollouts' }));
  }
});

it('a missing Secret, or a missing key, is an Error measurement naming it; nothing is sent', async () => {
  expect(
    await measure({ secretArgs: [{ name: 'api-token', secretName: 'no-such-secret', key: 'token' }] }),
  ).toEqual({
    error: 'arg "api-token": Secret rollouts-demo/no-such-secret not found',
  });
  expect(
    await measure({ secretArgs: [{ name: 'api-token', secretName: 'metrics-api', key: 'password' }] }),
  ).toEqual({
    error: 'arg "api-token": Secret rollouts-demo/metrics-api has no key "password"',
  });
  expect(server.requests).toHaveLength(0);
});

it('an API server that is down is an Error measurement, not a throw', async () => {
  await cp.stopApiserver();
  const { error, value } = await measure({});
  expect(value).toBeUndefined();
  expect(error).toMatch(/^arg "api-token": Secret rollouts-demo\/metrics-api: .*ECONNREFUSED/);
  expect(server.requests).toHaveLength(0);
});
