// The metric endpoint the bench's analyses measure: GET /ok/<key> answers {"ok":1} (or {"ok":0} once
// the bench fails that key), and remembers when each request arrived, which is when the measurement ran.
import http from 'node:http';
import type net from 'node:net';
import { nowMs } from './stats.js';

export class MetricEndpoint {
  private readonly failing = new Set<string>();
  /** Arrival times (ms) of the requests for each key. */
  readonly arrivals = new Map<string, number[]>();
  private readonly server = http.createServer((req, res) => this.answer(req, res));
  url = '';

  static async start(): Promise<MetricEndpoint> {
    const endpoint = new MetricEndpoint();
    endpoint.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    endpoint.url = `http://127.0.0.1:${(endpoint.server.address() as net.AddressInfo).port}`;
    return endpoint;
  }

  urlFor(key: string): string {
    return `${this.url}/ok/${encodeURIComponent(key)}`;
  }

  fail(key: string, failing = true): void {
    if (failing) this.failing.add(key);
    else this.failing.delete(key);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const match = /^\/ok\/([^/?]+)/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const key = decodeURIComponent(match[1] as string);
    const times = this.arrivals.get(key) ?? [];
    times.push(nowMs());
    this.arrivals.set(key, times);
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ ok: this.failing.has(key) ? 0 : 1 }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
