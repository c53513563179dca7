// The HTTP layer on loopback with a fake simulator behind it: routes, content types, the error-rate
// API's validation (400 naming the field), and what is not there (404, 405).
import type net from 'node:net';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorRates, type ErrorRate } from '../../lab/mesh/error-rates.js';
import { createMeshServer } from '../../lab/mesh/server.js';
import type { MeshState } from '../../lab/mesh/state.js';

const rates = new ErrorRates();
const sinceAsked: (number | undefined)[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = createMeshServer({
    page: () => '<!doctype html><title>mesh</title>',
    metrics: () => '# TYPE up counter\nup 1\n',
    state: (since) => {
      sinceAsked.push(since);
      return { hosts: [], images: [] } as unknown as MeshState;
    },
    errors: () => rates.list(),
    setError: (rate: ErrorRate) => rates.set(rate),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const put = (body: string, method = 'PUT') =>
  fetch(`${base}/api/errors`, { method, headers: { 'Content-Type': 'application/json' }, body });

describe('mesh HTTP server', () => {
  it('serves the page, the metrics and the state with their content types', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>mesh</title>');
    const metrics = await fetch(`${base}/stats/prometheus`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toBe('# TYPE up counter\nup 1\n');
    const state = await fetch(`${base}/api/state`);
    expect(state.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await state.json()).toEqual({ hosts: [], images: [] });
  });

  it('passes ?since= to the state, and refuses one that is not a number', async () => {
    sinceAsked.length = 0;
    await fetch(`${base}/api/state?since=42`);
    await fetch(`${base}/api/state`);
    expect(sinceAsked).toEqual([42, undefined]);
    const bad = await fetch(`${base}/api/state?since=-1`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'since: expected a request number (0, 1, 2…), got "-1"' });
  });

  it('sets error rates by PUT or POST, and lists them', async () => {
    const response = await put('{"image": "argoproj/rollouts-demo:green", "rate": 0.65}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ image: 'argoproj/rollouts-demo:green', rate: 0.65 });
    expect((await put('{"image": "argoproj/rollouts-demo:blue", "rate": 0.1}', 'POST')).status).toBe(200);
    const list = await fetch(`${base}/api/errors`);
    expect(await list.json()).toEqual({
      errors: [
        { image: 'argoproj/rollouts-demo:blue', rate: 0.1 },
        { image: 'argoproj/rollouts-demo:green', rate: 0.65 },
      ],
    });
    await put('{"image": "argoproj/rollouts-demo:blue", "rate": 0}');
    expect(await (await fetch(`${base}/api/errors`)).json()).toEqual({
      errors: [{ image: 'argoproj/rollouts-demo:green', rate: 0.65 }],
    });
  });

  it.each([
    ['{"image": "x:green", "rate": 65}', /^rate: required, a number from 0 to 1 .*got 65$/],
    ['{"rate": 0.5}', /^image: required/],
    ['{"image": "x:green", "rate": 0.5, "extra": true}', /^extra: unknown field/],
    ['[1]', /^body: expected a JSON object/],
    ['{"image": ', /^body: not valid JSON \(/],
    ['', /^body: not valid JSON \(/],
  ])('400 for %s', async (body, message) => {
    const response = await put(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('413 for a body that is too large', async () => {
    const response = await put(JSON.stringify({ image: 'x'.repeat(100_000), rate: 0.5 }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'body: larger than 65536 bytes' });
  });

  it('404 for other paths, 405 with Allow for other methods', async () => {
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found: GET /nope' });
    const wrong = await fetch(`${base}/api/state`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrong.json()).toEqual({ error: 'method DELETE not allowed here (allowed: GET, HEAD)' });
  });
});
