// The web provider against a local HTTP server: the request it sends (method, headers, body), the
// value jsonPath selects, and every failure as an Error measurement with the status or the reason.
import { describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { WebClient } from '../../activities/metrics/web.js';
import type { MeasureResult, WebProvider } from '../../core/analysis/types.js';
import { closedPort, LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';

const client = new WebClient(axios.create());
const answer = { data: { ok: true, rate: 0.97, version: 'v2' }, items: [{ value: 12 }, { value: 'x' }] };
const server = useLocalHttpServer((_req, res) => LocalHttpServer.json(res, answer));

function measure(config: Partial<WebProvider> = {}): Promise<MeasureResult> {
  return client.measure({ url: `${server.url}/status`, method: 'GET', ...config }, {});
}

describe('the value', () => {
  it.each([
    ['{$.data.ok}', true],
    ['{$.data.rate}', 0.97],
    ['$.data.version', 'v2'],
    ['{$.items[0].value}', 12],
    ['$.items[1].value', 'x'],
    ['{$.data}', answer.data],
    ['$.items[*].value', [12, 'x']],
  ])('jsonPath %s', async (jsonPath, value) => {
    expect(await measure({ jsonPath })).toEqual({ value });
  });

  it('without jsonPath: the whole JSON answer', async () => {
    server.handler = (_req, res) => res.end('0.25');
    expect(await measure()).toEqual({ value: 0.25 });
    server.handler = (_req, res) => LocalHttpServer.json(res, answer);
    expect(await measure()).toEqual({ value: answer });
  });
});

describe('the request', () => {
  it('GET with the configured headers', async () => {
    await measure({ headers: [{ key: 'X-Api-Key', value: 'k1' }], jsonPath: '$.data.ok' });
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/status', body: '' });
    expect(server.requests[0]?.headers['x-api-key']).toBe('k1');
  });

  it('POST with jsonBody: serialized, as application/json', async () => {
    await measure({ method: 'POST', jsonBody: { query: 'rate', window: 2 }, jsonPath: '$.data.ok' });
    expect(server.requests[0]?.method).toBe('POST');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ query: 'rate', window: 2 });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it("jsonBody keeps the user's own Content-Type", async () => {
    await measure({
      method: 'POST',
      jsonBody: { a: 1 },
      headers: [{ key: 'content-type', value: 'application/vnd.api+json' }],
    });
    expect(server.requests[0]?.headers['content-type']).toBe('application/vnd.api+json');
  });

  it('PUT with a text body, sent as written', async () => {
    await measure({
      method: 'PUT',
      body: 'a=1&b=2',
      headers: [{ key: 'Content-Type', value: 'text/plain' }],
    });
    expect(server.requests[0]).toMatchObject({ method: 'PUT', body: 'a=1&b=2' });
  });
});

describe('failures are Error measurements', () => {
  it('a status outside 2xx names the code', async () => {
    server.handler = (_req, res) => LocalHttpServer.json(res, { message: 'x'.repeat(10_000) }, 500);
    expect(await measure({ jsonPath: '$.data.ok' })).toEqual({
      error: `GET ${server.url}/status: HTTP 500 Internal Server Error (expected 2xx)`,
    });
    server.handler = (_req, res) => {
      res.writeHead(404);
      res.end();
    };
    expect((await measure({ method: 'POST' })).error).toBe(
      `POST ${server.url}/status: HTTP 404 Not Found (expected 2xx)`,
    );
  });

  it('a body that is not JSON', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>ok</body></html>');
    };
    expect(await measure({ jsonPath: '{$.data.ok}' })).toEqual({
      error: `GET ${server.url}/status: answered with a text/html body, expected JSON`,
    });
  });

  it('a jsonPath that selects nothing, and one we cannot read', async () => {
    expect(await measure({ jsonPath: '{$.data.missing}' })).toEqual({
      error: `GET ${server.url}/status: jsonPath {$.data.missing} selects nothing in the answer`,
    });
    expect((await measure({ jsonPath: '$..ok' })).error).toMatch(/^jsonPath \$\.\.ok: recursive descent/);
  });

  it('no answer within timeoutSeconds', async () => {
    server.handler = () => undefined;
    expect(await measure({ timeoutSeconds: 1 })).toEqual({
      error: `GET ${server.url}/status: no answer within 1s`,
    });
  });

  it("timeoutSeconds 0 or less is Argo's default, 10 s (not a timeout at once)", async () => {
    const handler = server.handler;
    server.handler = (req, res) => setTimeout(() => handler(req, res), 50);
    for (const timeoutSeconds of [0, -5]) expect((await measure({ timeoutSeconds })).error).toBeUndefined();
  });

  it('connection refused; the query string (where tokens go) is not in the message', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/q`;
    expect(await measure({ url: `${url}?apikey=abc` })).toEqual({ error: `GET ${url}: connection refused` });
  });

  it('a url that is not http(s)', async () => {
    expect(await measure({ url: 'ftp://example.com/x' })).toEqual({
      error: 'web metric: the url has scheme ftp, expected http or https',
    });
  });
});
