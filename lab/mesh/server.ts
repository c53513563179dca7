// The simulator's HTTP server: the page, Envoy-style metrics and the control API.
//   GET  /                  the page (page.ts)
//   GET  /stats/prometheus  istio_requests_total and istio_request_duration_milliseconds, text format 0.0.4
//   GET  /api/state         routes, weights, traffic per image; ?since=SEQ for only the newer requests
//   GET  /api/errors        {"errors": [{"image", "rate"}]}
//   PUT  /api/errors        {"image", "rate"} (POST alike): sets an image's error rate; 400 names the field
// Errors are JSON `{"error": "..."}`.
import http from 'node:http';
import { ErrorRateInputError, parseErrorRate, type ErrorRate } from './error-rates.js';
import type { MeshState } from './state.js';

export interface MeshApi {
  page(): string;
  metrics(): string;
  state(since?: number): MeshState;
  errors(): ErrorRate[];
  setError(rate: ErrorRate): void;
}

/** Largest request body accepted. */
const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string, headers = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function json(res: http.ServerResponse, status: number, value: unknown, headers = {}): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, headers);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped, so the client gets its 413 rather than a reset.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) reject(new HttpError(413, `body: larger than ${MAX_BODY} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function parseSince(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value))
    throw new HttpError(400, `since: expected a request number (0, 1, 2…), got ${JSON.stringify(value)}`);
  return Number(value);
}

function allow(method: string, allowed: string[]): void {
  if (!allowed.includes(method))
    throw new HttpError(405, `method ${method} not allowed here (allowed: ${allowed.join(', ')})`, {
      Allow: allowed.join(', '),
    });
}

async function handle(api: MeshApi, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://mesh');
  switch (url.pathname) {
    case '/':
      allow(method, ['GET', 'HEAD']);
      return send(res, 200, 'text/html; charset=utf-8', api.page());
    case '/stats/prometheus':
      allow(method, ['GET', 'HEAD']);
      return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', api.metrics());
    case '/api/state':
      allow(method, ['GET', 'HEAD']);
      return json(res, 200, api.state(parseSince(url.searchParams.get('since'))));
    case '/api/errors': {
      allow(method, ['GET', 'HEAD', 'PUT', 'POST']);
      if (method === 'GET' || method === 'HEAD') return json(res, 200, { errors: api.errors() });
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new HttpError(400, `body: not valid JSON (${(err as Error).message})`);
      }
      const rate = parseErrorRate(body);
      api.setError(rate);
      return json(res, 200, rate);
    }
    default:
      throw new HttpError(404, `not found: ${method} ${url.pathname}`);
  }
}

export function createMeshServer(api: MeshApi): http.Server {
  return http.createServer((req, res) => {
    handle(api, req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return json(res, err.status, { error: err.message }, err.headers);
      if (err instanceof ErrorRateInputError) return json(res, 400, { error: err.message });
      json(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
}
