// Argo's oauth2 authentication (client-credentials grant, golang.org/x/oauth2 v0.36.0) for the prometheus
// and web providers, against real local servers: a token endpoint and a Prometheus-like API. The token
// request, the Authorization it gives, one token per measurement (Argo builds its client anew for each),
// x/oauth2's fallback from Basic credentials to credentials in the form, every failure named, and the
// secrets masked out of what a measurement returns.
import { describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi, V1Secret } from '@kubernetes/client-node';
import axios from 'axios';
import { createMetricActivities } from '../../activities/metrics/index.js';
import { fetchOAuth2Token, queryEscape } from '../../activities/metrics/oauth2.js';
import { PrometheusClient } from '../../activities/metrics/prometheus.js';
import { WebClient } from '../../activities/metrics/web.js';
import { Kube } from '../../activities/kube.js';
import type { OAuth2ClientCredentials, PrometheusProvider, WebProvider } from '../../core/analysis/types.js';
import {
  closedPort,
  LocalHttpServer,
  useLocalHttpServer,
  type RecordedRequest,
} from '../support/local-http.js';

const SECRET = 'cl!ent s3cret';
const ACCESS = 'at-5b1f2e9d';

const issuer = useLocalHttpServer();
const api = useLocalHttpServer();
const prometheus = new PrometheusClient(axios.create());
const web = new WebClient(axios.create());

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${queryEscape(id)}:${queryEscape(secret)}`).toString('base64')}`;

/** A token endpoint that takes only the right client, in the header (or, with `form`, only in the form). */
function issue(
  answer: Record<string, unknown> = { access_token: ACCESS, token_type: 'bearer', expires_in: 3600 },
  only: 'header' | 'form' | 'either' = 'either',
): void {
  issuer.handler = (req, res) => {
    const form = new URLSearchParams(req.body);
    const inHeader = req.headers.authorization === basic('rollouts', SECRET);
    const inForm = form.get('client_id') === 'rollouts' && form.get('client_secret') === SECRET;
    const accepted = only === 'header' ? inHeader : only === 'form' ? inForm : inHeader || inForm;
    if (!accepted)
      return LocalHttpServer.json(
        res,
        { error: 'invalid_client', error_description: 'Bad client credentials' },
        401,
      );
    LocalHttpServer.json(res, answer);
  };
}

function answerPrometheus(): void {
  api.handler = (_req, res) =>
    LocalHttpServer.json(res, { status: 'success', data: { resultType: 'scalar', result: [1, '0.99'] } });
}

const oauth2 = (over: Partial<OAuth2ClientCredentials> = {}): OAuth2ClientCredentials => ({
  tokenUrl: `${issuer.url}/oauth/token`,
  clientId: 'rollouts',
  clientSecret: SECRET,
  ...over,
});

function measurePrometheus(config: Partial<PrometheusProvider> = {}) {
  return prometheus.measure(
    { address: api.url, query: 'up', authentication: { oauth2: oauth2() }, ...config },
    {},
  );
}

const tokenRequests = (): RecordedRequest[] => issuer.requests;

describe('the token request', () => {
  it('is a form POST of the client-credentials grant with the scopes, the client in Basic credentials', async () => {
    issue();
    answerPrometheus();
    expect(
      await measurePrometheus({ authentication: { oauth2: oauth2({ scopes: ['metrics:read', 'openid'] }) } }),
    ).toEqual({ value: 0.99 });
    expect(tokenRequests()).toHaveLength(1);
    const [request] = tokenRequests();
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/oauth/token');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.authorization).toBe(basic('rollouts', SECRET));
    expect(request?.body).toBe('grant_type=client_credentials&scope=metrics%3Aread+openid');
  });

  it('leaves scope out when there are no scopes', async () => {
    issue();
    answerPrometheus();
    await measurePrometheus();
    expect(tokenRequests()[0]?.body).toBe('grant_type=client_credentials');
  });

  it('tries the client in the form when the server refuses it in the header (x/oauth2 auto-detect)', async () => {
    issue(undefined, 'form');
    answerPrometheus();
    expect(await measurePrometheus()).toEqual({ value: 0.99 });
    expect(tokenRequests()).toHaveLength(2);
    const second = tokenRequests()[1];
    expect(second?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(second?.body))).toEqual({
      client_id: 'rollouts',
      client_secret: SECRET,
      grant_type: 'client_credentials',
    });
  });

  it('reads a form-encoded answer too', async () => {
    issuer.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-www-form-urlencoded' });
      res.end(`access_token=${ACCESS}&token_type=bearer`);
    };
    answerPrometheus();
    await measurePrometheus();
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${ACCESS}`);
  });
});

describe('the token on the query', () => {
  it('is sent as `Bearer <access_token>` (token_type in its canonical case, Bearer when absent)', async () => {
    answerPrometheus();
    for (const [type, sent] of [
      ['bearer', 'Bearer'],
      ['', 'Bearer'],
      ['MAC', 'MAC'],
      ['DPoP', 'DPoP'],
    ]) {
      issue({ access_token: ACCESS, ...(type ? { token_type: type } : {}) });
      api.requests.length = 0;
      await measurePrometheus();
      expect(api.requests[0]?.headers.authorization).toBe(`${sent} ${ACCESS}`);
    }
  });

  it('is fetched anew for every measurement, as Argo builds its client for each', async () => {
    issue();
    answerPrometheus();
    await measurePrometheus();
    await measurePrometheus();
    expect(tokenRequests()).toHaveLength(2);
    expect(api.requests).toHaveLength(2);
  });

  it("Prometheus: custom headers go to the token endpoint too, and override the token's Authorization", async () => {
    issue();
    answerPrometheus();
    await measurePrometheus({ headers: [{ key: 'X-Scope-OrgID', value: 'team-a' }] });
    expect(tokenRequests()[0]?.headers['x-scope-orgid']).toBe('team-a');
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${ACCESS}`);
    api.requests.length = 0;
    await measurePrometheus({ headers: [{ key: 'authorization', value: 'Bearer mine' }] });
    expect(api.requests[0]?.headers.authorization).toBe('Bearer mine');
  });

  it('web: the token replaces an Authorization header, and the token endpoint gets no custom header', async () => {
    issue();
    api.handler = (_req, res) => LocalHttpServer.json(res, { ok: 1 });
    const config: WebProvider = {
      url: `${api.url}/health`,
      method: 'GET',
      jsonPath: '{$.ok}',
      headers: [
        { key: 'authorization', value: 'Bearer mine' },
        { key: 'X-Team', value: 'a' },
      ],
      authentication: { oauth2: oauth2() },
    };
    expect(await web.measure(config, {})).toEqual({ value: 1 });
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${ACCESS}`);
    expect(api.requests[0]?.headers['x-team']).toBe('a');
    expect(tokenRequests()[0]?.headers['x-team']).toBeUndefined();
  });
});

describe('a token that cannot be had is an Error measurement naming the token URL, and nothing is queried', () => {
  const at = () => `Prometheus at ${api.url}: no oauth2 token from ${issuer.url}/oauth/token`;

  it('the client refused both ways: the server’s error code and description', async () => {
    issue();
    expect(
      await measurePrometheus({ authentication: { oauth2: oauth2({ clientSecret: 'wrong' }) } }),
    ).toEqual({
      error: `${at()}: HTTP 401 Unauthorized: "invalid_client" "Bad client credentials"`,
    });
    expect(tokenRequests()).toHaveLength(2);
    expect(api.requests).toHaveLength(0);
  });

  it('an answer without access_token, an HTML page, a 500, no server', async () => {
    issue({ token_type: 'bearer' });
    expect((await measurePrometheus()).error).toBe(`${at()}: answered HTTP 200 OK without an access_token`);
    issuer.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>login</html>');
    };
    expect((await measurePrometheus()).error).toBe(
      `${at()}: answered HTTP 200 OK with a text/html body, expected a JSON token`,
    );
    issuer.handler = (_req, res) => LocalHttpServer.json(res, {}, 500);
    expect((await measurePrometheus()).error).toBe(`${at()}: HTTP 500 Internal Server Error`);
    const port = await closedPort();
    expect(
      (
        await measurePrometheus({
          authentication: { oauth2: oauth2({ tokenUrl: `http://127.0.0.1:${port}/t` }) },
        })
      ).error,
    ).toBe(`Prometheus at ${api.url}: no oauth2 token from http://127.0.0.1:${port}/t: connection refused`);
    expect(api.requests).toHaveLength(0);
  });

  it('the token and the query share the timeout', async () => {
    issuer.handler = () => undefined; // never answers
    const began = Date.now();
    expect((await measurePrometheus({ timeout: 1 })).error).toBe(`${at()}: no answer within 1s`);
    // One second for both tries, not one each.
    expect(Date.now() - began).toBeLessThan(1900);
  });

  it('web: the same, after the method and url', async () => {
    issue();
    const config: WebProvider = {
      url: `${api.url}/x`,
      method: 'GET',
      authentication: { oauth2: oauth2({ clientId: 'nobody' }) },
    };
    expect(await web.measure(config, {})).toEqual({
      error: `GET ${api.url}/x: no oauth2 token from ${issuer.url}/oauth/token: HTTP 401 Unauthorized: "invalid_client" "Bad client credentials"`,
    });
  });
});

describe('secrets stay out of what a measurement returns', () => {
  const secretApi = {
    read: () =>
      Promise.resolve({ data: { secret: Buffer.from(SECRET).toString('base64') } } satisfies V1Secret),
  } as unknown as KubernetesObjectApi;
  const { measure } = createMetricActivities({ kube: new Kube(secretApi) });
  const input = (provider: PrometheusProvider) => ({
    namespace: 'demo',
    metric: 'm',
    provider: { prometheus: provider },
    secretArgs: [{ name: 'client-secret', secretName: 'idp', key: 'secret' }],
  });

  it('the client secret from a secret arg, echoed by the token endpoint, and the access token, echoed by Prometheus', async () => {
    issuer.handler = (req, res) =>
      LocalHttpServer.json(
        res,
        {
          error: 'invalid_client',
          error_description: `unknown client in ${req.body}, ${SECRET}`,
        },
        401,
      );
    const config = {
      address: api.url,
      query: 'up',
      authentication: { oauth2: oauth2({ clientSecret: '{{args.client-secret}}' }) },
    };
    const refused = await measure(input(config));
    expect(refused.error).toContain('"invalid_client"');
    expect(refused.error).not.toContain(SECRET);
    expect(refused.error).not.toContain(encodeURIComponent(SECRET));
    expect(refused.error).toContain(
      '"unknown client in client_id=rollouts&client_secret=***&grant_type=client_credentials, ***"',
    );
    expect(tokenRequests()[0]?.headers.authorization).toBe(basic('rollouts', SECRET));

    issue();
    api.handler = (req, res) =>
      LocalHttpServer.json(
        res,
        { status: 'error', errorType: 'bad_data', error: `no access for ${req.headers.authorization}` },
        400,
      );
    const echoed = await measure(input(config));
    expect(echoed.error).toBe(
      `Prometheus at ${api.url}: query "up": HTTP 400 Bad Request: bad_data: no access for Bearer ***`,
    );
  });

  it('the Basic credentials and the form-encoded secret are handed to the mask', async () => {
    issue(undefined, 'form');
    const secrets: string[] = [];
    await fetchOAuth2Token(axios.create(), oauth2(), {
      timeoutSeconds: 5,
      secret: (value) => secrets.push(value),
    });
    expect(secrets).toEqual([basic('rollouts', SECRET).slice('Basic '.length), queryEscape(SECRET)]);
  });

  it('a client secret written into the template is masked too', async () => {
    issuer.handler = (_req, res) =>
      LocalHttpServer.json(res, { error: 'invalid_client', error_description: `bad ${SECRET}` }, 401);
    const result = await measure({
      ...input({ address: api.url, query: 'up', authentication: { oauth2: oauth2() } }),
      secretArgs: [],
    });
    expect(result.error).toContain('"bad ***"');
  });
});
