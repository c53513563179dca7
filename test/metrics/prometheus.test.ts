// The Prometheus provider against a local HTTP server that answers as Prometheus' API does (and as
// things that are not Prometheus do): real HTTP through axios, the result conversion, every failure
// returned as an Error measurement with a short message naming the address.
import { describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { convertResult, parseSampleValue, PrometheusClient } from '../../activities/metrics/prometheus.js';
import type { MeasureResult, PrometheusProvider } from '../../core/analysis/types.js';
import { closedPort, LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';

const server = useLocalHttpServer();
const client = new PrometheusClient(axios.create());

/** The server answers every request with this Prometheus success envelope. */
function answerData(resultType: string, result: unknown): void {
  server.handler = (_req, res) =>
    LocalHttpServer.json(res, { status: 'success', data: { resultType, result } });
}

function measure(config: Partial<PrometheusProvider> = {}): Promise<MeasureResult> {
  return client.measure({ address: server.url, query: 'up', ...config }, {});
}

describe('the request', () => {
  it('is an instant query with the query URL-encoded and the configured headers', async () => {
    answerData('scalar', [1, '1']);
    const query = 'sum(rate(x{a=~"b.*"}[2m])) / 2';
    await measure({ query, headers: [{ key: 'X-Scope-OrgID', value: 'tenant-1' }] });
    const request = server.requests[0];
    expect(request?.method).toBe('GET');
    const url = new URL(request?.url ?? '', server.url);
    expect(url.pathname).toBe('/api/v1/query');
    expect(url.searchParams.get('query')).toBe(query);
    expect(request?.headers['x-scope-orgid']).toBe('tenant-1');
  });

  it('keeps a path prefix of the address and drops its trailing slash', async () => {
    answerData('scalar', [1, '1']);
    await measure({ address: `${server.url}/prometheus/` });
    expect(server.requests[0]?.url.startsWith('/prometheus/api/v1/query?')).toBe(true);
  });

  it('is a range query when rangeQuery is set: start and end evaluated now, in unix seconds, step in seconds', async () => {
    answerData('matrix', []);
    const before = Date.now() / 1000;
    await measure({
      rangeQuery: { start: 'now() - duration("10m")', end: 'now()', step: '1m30s' },
    });
    const after = Date.now() / 1000;
    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(url.pathname).toBe('/api/v1/query_range');
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({ query: 'up', step: '90' });
    const start = Number(params.start);
    const end = Number(params.end);
    expect(end).toBeGreaterThanOrEqual(Math.floor(before));
    expect(end).toBeLessThanOrEqual(after);
    expect(end - start).toBeCloseTo(600, 1);
    expect(params.end).toMatch(/^\d+(\.\d+)?$/);
  });

  it("a fixed time and a fractional step are written as Prometheus' client writes them", async () => {
    answerData('matrix', []);
    await measure({
      rangeQuery: {
        start: 'date("2024-05-01T10:00:00Z")',
        end: 'date("2024-05-01T10:00:00.25Z")',
        step: '100ms',
      },
    });
    const params = Object.fromEntries(new URL(server.requests[0]?.url ?? '', server.url).searchParams);
    expect(params).toMatchObject({ start: '1714557600', end: '1714557600.25', step: '0.1' });
  });

  it("a start, end or step that an arg made wrong is an Error measurement in Argo's words, nothing asked", async () => {
    const where = `Prometheus at ${server.url}`;
    expect(await measure({ rangeQuery: { start: 'now() - 5', end: 'now()', step: '1m' } })).toEqual({
      error: `${where}: failed to parse rangeQuery.start "now() - 5" as time: invalid operation: - (mismatched types time.Time and int)`,
    });
    expect(await measure({ rangeQuery: { start: 'now()', end: 'duration("1h")', step: '1m' } })).toEqual({
      error: `${where}: failed to parse rangeQuery.end "duration(\\"1h\\")" as time: expected time.Time, but got time.Duration`,
    });
    expect(await measure({ rangeQuery: { start: 'now()', end: 'now()', step: '5' } })).toEqual({
      error: `${where}: failed to parse rangeQuery.step as duration: time: missing unit in duration "5"`,
    });
    expect(server.requests).toHaveLength(0);
  });
});

describe('the result', () => {
  it('scalar → a number', async () => {
    answerData('scalar', [1700000000.5, '0.975']);
    expect(await measure()).toEqual({ value: 0.975 });
  });

  it('instant vector → the numbers in series order', async () => {
    answerData('vector', [
      { metric: { pod: 'b' }, value: [1700000000, '3'] },
      { metric: { pod: 'a' }, value: [1700000000, '1.5'] },
      { metric: {}, value: [1700000000, '-2e-3'] },
    ]);
    expect(await measure()).toEqual({ value: [3, 1.5, -0.002] });
  });

  it('an empty vector → []', async () => {
    answerData('vector', []);
    expect(await measure()).toEqual({ value: [] });
  });

  it('matrix → every sample of every series, flattened in order', async () => {
    answerData('matrix', [
      {
        metric: { pod: 'a' },
        values: [
          [1, '1'],
          [2, '2'],
        ],
      },
      {
        metric: { pod: 'b' },
        values: [
          [1, '10'],
          [2, 'NaN'],
          [3, '30'],
        ],
      },
    ]);
    expect(await measure({ rangeQuery: { start: 'now()', end: 'now()', step: '1s' } })).toEqual({
      value: [1, 2, 10, { $float: 'NaN' }, 30],
    });
  });

  it('NaN, +Inf and -Inf samples are kept, tagged', async () => {
    answerData('vector', [
      { metric: {}, value: [1, 'NaN'] },
      { metric: {}, value: [1, '+Inf'] },
      { metric: {}, value: [1, '-Inf'] },
    ]);
    expect(await measure()).toEqual({ value: [{ $float: 'NaN' }, { $float: '+Inf' }, { $float: '-Inf' }] });
    answerData('scalar', [1, 'NaN']);
    expect(await measure()).toEqual({ value: { $float: 'NaN' } });
  });

  it('a string result is an error', async () => {
    answerData('string', [1, 'hello']);
    expect(await measure()).toEqual({
      error: `Prometheus at ${server.url}: query "up": Prometheus returned a string ("hello"), expected a number or vector`,
    });
  });

  it('a malformed result is an error, not a throw', async () => {
    answerData('vector', [{ metric: {}, value: [1, 2] }]);
    expect((await measure()).error).toMatch(/malformed sample/);
    answerData('vector', { not: 'a list' });
    expect((await measure()).error).toMatch(/malformed vector result/);
    answerData('vector', [{ metric: {}, histogram: [1, {}] }]);
    expect((await measure()).error).toMatch(/native histogram/);
    answerData('exotic', []);
    expect((await measure()).error).toMatch(/unknown result type "exotic"/);
  });
});

describe('convertResult and parseSampleValue (pure)', () => {
  it('parse what Go formats', () => {
    expect(parseSampleValue('1e+06')).toBe(1e6);
    expect(parseSampleValue('Inf')).toEqual({ $float: '+Inf' });
    expect(parseSampleValue('1e400')).toEqual({ $float: '+Inf' });
    expect(() => parseSampleValue('')).toThrow(/not a number/);
    expect(() => parseSampleValue('abc')).toThrow(/not a number/);
    expect(convertResult('scalar', [0, '-0'])).toBe(-0);
  });
});

describe('failures are Error measurements naming the address', () => {
  it("Prometheus' own error (bad_data) with the HTTP status", async () => {
    server.handler = (_req, res) =>
      LocalHttpServer.json(
        res,
        { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected <op:*>' },
        400,
      );
    expect(await measure()).toEqual({
      error: `Prometheus at ${server.url}: query "up": HTTP 400 Bad Request: bad_data: 1:5: parse error: unexpected <op:*>`,
    });
  });

  it('a status that is not 2xx, with a body that is not the API', async () => {
    server.handler = (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('Service Unavailable: '.repeat(1000));
    };
    expect(await measure()).toEqual({ error: `Prometheus at ${server.url}: HTTP 503 Service Unavailable` });
  });

  it('an HTML page with 200 (a login page, the wrong address)', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><body>${'<p>Sign in</p>'.repeat(500)}</body></html>`);
    };
    const { error } = await measure();
    expect(error).toBe(
      `Prometheus at ${server.url}: answered HTTP 200 OK with a text/html body, not a Prometheus API response`,
    );
  });

  it('JSON that is not the API envelope, and an empty body', async () => {
    server.handler = (_req, res) => LocalHttpServer.json(res, { hello: 'world' });
    expect((await measure()).error).toMatch(/with a application\/json body, not a Prometheus API response$/);
    server.handler = (_req, res) => res.end();
    expect((await measure()).error).toMatch(/with an empty body, not a Prometheus API response$/);
  });

  it('connection refused', async () => {
    const address = `http://127.0.0.1:${await closedPort()}`;
    expect(await measure({ address })).toEqual({
      error: `Prometheus at ${address} could not be reached: connection refused`,
    });
  });

  it('host not found', async () => {
    const { error } = await measure({ address: 'http://prometheus.invalid:9090' });
    expect(error).toMatch(
      /^Prometheus at http:\/\/prometheus\.invalid:9090 could not be reached: host not found/,
    );
  });

  it('no answer within the timeout (seconds)', async () => {
    server.handler = () => undefined; // never answers
    const started = Date.now();
    expect(await measure({ timeout: 1 })).toEqual({
      error: `Prometheus at ${server.url}: no answer within 1s`,
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('an address that is not an http(s) URL', async () => {
    expect(await measure({ address: 'prometheus:9090' })).toEqual({
      error: 'Prometheus at prometheus:9090: the address has scheme prometheus, expected http or https',
    });
    expect((await measure({ address: 'not a url' })).error).toBe(
      'Prometheus at not a url: the address is not a URL',
    );
  });

  it('a long reason is cut to 300 characters, and credentials in the address are not shown', async () => {
    server.handler = (_req, res) =>
      LocalHttpServer.json(res, { status: 'error', errorType: 'execution', error: 'x'.repeat(5000) }, 422);
    const address = server.url.replace('http://', 'http://admin:hunter2@');
    const { error } = await measure({ address });
    expect(error).toHaveLength(300);
    expect(error?.startsWith(`Prometheus at ${server.url}: query "up": HTTP 422`)).toBe(true);
    expect(error?.endsWith('…')).toBe(true);
    expect(error).not.toContain('hunter2');
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('admin:hunter2').toString('base64')}`,
    );
  });
});
