// SigV4 signing (activities/metrics/sigv4.ts) against AWS's published SigV4 test suite (aws-c-auth's
// tests/aws-signing-test-suite/v4: AKIDEXAMPLE, us-east-1, service "service", 2015-08-30T12:36:00Z):
// each case's request as the suite gives it, and the Authorization header it publishes. Then the
// Prometheus provider's signed queries, checked as AWS checks them: from the request as it arrived.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { PrometheusClient } from '../../activities/metrics/prometheus.js';
import { canonicalQuery, credentialsFromEnvironment, signV4 } from '../../activities/metrics/sigv4.js';
import type { PrometheusProvider } from '../../core/analysis/types.js';
import { LocalHttpServer, useLocalHttpServer, type RecordedRequest } from '../support/local-http.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SCOPE = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

function sign(method: string, pathAndQuery: string, sessionToken?: string) {
  return signV4({
    method,
    url: new URL(`https://example.amazonaws.com${pathAndQuery}`),
    region: 'us-east-1',
    service: 'service',
    date: new Date('2015-08-30T12:36:00Z'),
    credentials: sessionToken ? { ...CREDENTIALS, sessionToken } : CREDENTIALS,
  });
}

/** suite case → [request line's path and query, its published signature] */
const SUITE: [string, string, string][] = [
  ['get-vanilla', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
  [
    'get-vanilla-query-order-key-case',
    '/?Param2=value2&Param1=value1',
    'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  ],
  [
    'get-vanilla-query-order-encoded',
    '/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1',
    '371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac',
  ],
  ['get-vanilla-utf8-query', '/?ሴ=bar', '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04'],
  [
    'get-vanilla-query-unreserved',
    '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
  ],
  ['get-utf8', '/ሴ', '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'],
  [
    'get-unreserved',
    '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  ],
];

describe("AWS's SigV4 test suite", () => {
  it.each(SUITE)('%s', (_, pathAndQuery, signature) => {
    expect(sign('GET', pathAndQuery)).toEqual({
      'X-Amz-Date': '20150830T123600Z',
      Authorization: `AWS4-HMAC-SHA256 ${SCOPE}, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    });
  });

  it('get-vanilla-with-session-token: the token is sent and signed', () => {
    const token = '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267';
    expect(sign('GET', '/', token)).toEqual({
      'X-Amz-Date': '20150830T123600Z',
      'X-Amz-Security-Token': token,
      Authorization: `AWS4-HMAC-SHA256 ${SCOPE}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8`,
    });
  });
});

describe('the parts', () => {
  it('a PromQL query string: RFC 3986, spaces as %20, sorted', () => {
    expect(
      canonicalQuery([
        ['query', 'sum(rate(x{a="b c"}[1m])) * 2'],
        ['end', '1.5'],
      ]),
    ).toBe('end=1.5&query=sum%28rate%28x%7Ba%3D%22b%20c%22%7D%5B1m%5D%29%29%20%2A%202');
  });

  it("credentials from the worker's environment, the SDK's names", () => {
    expect(credentialsFromEnvironment({})).toBeUndefined();
    expect(credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'a' })).toBeUndefined();
    expect(
      credentialsFromEnvironment({
        AWS_ACCESS_KEY_ID: 'a',
        AWS_SECRET_ACCESS_KEY: 'b',
        AWS_SESSION_TOKEN: 'c',
      }),
    ).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 'b',
      sessionToken: 'c',
    });
    expect(credentialsFromEnvironment({ AWS_ACCESS_KEY: 'a', AWS_SECRET_KEY: 'b' })).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 'b',
    });
  });
});

describe('the Prometheus provider signs a query to Amazon Managed Prometheus', () => {
  const server = useLocalHttpServer((_req, res) =>
    LocalHttpServer.json(res, { status: 'success', data: { resultType: 'vector', result: [] } }),
  );
  const client = new PrometheusClient(axios.create());
  const KEYS = {
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret/key+1',
    AWS_SESSION_TOKEN: 'tok-9',
  };
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(KEYS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const name of Object.keys(KEYS)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  const amp = () => `${server.url}/workspaces/aps-workspaces-ws-1`;
  const measure = (config: Partial<PrometheusProvider> = {}) =>
    client.measure(
      {
        address: amp(),
        query: 'sum(rate(x{a="b c"}[1m])) * 2',
        authentication: { sigv4: { region: 'eu-west-1' } },
        ...config,
      },
      {},
    );

  /** What AWS does: the signature of the request as it arrived, from its own URL and headers. */
  function expectSignedAsReceived(request: RecordedRequest | undefined): void {
    const amzDate = String(request?.headers['x-amz-date']);
    const date = new Date(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const expected = signV4({
      method: 'GET',
      url: new URL(`http://${String(request?.headers.host)}${request?.url ?? ''}`),
      region: 'eu-west-1',
      service: 'aps',
      date,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/key+1', sessionToken: 'tok-9' },
    });
    expect(request?.headers.authorization).toBe(expected.Authorization);
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/aps\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-security-token']).toBe('tok-9');
    expect(Math.abs(date.getTime() - Date.now())).toBeLessThan(60_000);
  }

  it('an instant query and a range query: signed as they are sent', async () => {
    expect(await measure()).toEqual({ value: [] });
    expectSignedAsReceived(server.requests[0]);
    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(url.pathname).toBe('/workspaces/aps-workspaces-ws-1/api/v1/query');
    expect(url.searchParams.get('query')).toBe('sum(rate(x{a="b c"}[1m])) * 2');
    await measure({ rangeQuery: { start: 'now() - duration("5m")', end: 'now()', step: '1m' } });
    expectSignedAsReceived(server.requests[1]);
    expect(new URL(server.requests[1]?.url ?? '', server.url).searchParams.get('step')).toBe('60');
  });

  it('custom headers are added unsigned, after the signature (Argo: they override it)', async () => {
    await measure({ headers: [{ key: 'X-Scope-OrgID', value: 't' }] });
    expectSignedAsReceived(server.requests[0]);
    expect(server.requests[0]?.headers['x-scope-orgid']).toBe('t');
  });

  it('an address that is not Amazon Managed Prometheus is not signed, as Argo', async () => {
    await measure({ address: server.url });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it("without credentials in the worker's environment: an Error measurement saying which, nothing sent", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    expect(await measure()).toEqual({
      error: `Prometheus at ${amp()}: authentication.sigv4: no AWS credentials in the worker's environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary ones)`,
    });
    expect(server.requests).toHaveLength(0);
  });

  it('the secret key and the session token are handed to the mask', async () => {
    const secrets: string[] = [];
    await client.measure(
      { address: amp(), query: 'up', authentication: { sigv4: { region: 'eu-west-1' } } },
      { secret: (value) => secrets.push(value) },
    );
    expect(secrets).toEqual(['secret/key+1', 'tok-9']);
  });
});
