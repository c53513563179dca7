// A real HTTP server on 127.0.0.1 (port chosen by the OS) for provider tests: it records every request
// (method, path with query, headers, body) and answers with whatever the test's handler says.
// `useLocalHttpServer` is the one set-up a test file needs (start, reset before each test, close).
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, beforeEach } from '@jest/globals';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void;

const answerEmpty: Handler = (_req, res) => res.end();

export class LocalHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server = http.createServer();

  /** Not listening yet: `listen()` (or `LocalHttpServer.start`). */
  constructor(public handler: Handler = answerEmpty) {
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        this.handler(recorded, res);
      });
    });
  }

  static async start(handler: Handler = answerEmpty): Promise<LocalHttpServer> {
    const instance = new LocalHttpServer(handler);
    await instance.listen();
    return instance;
  }

  listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers with a JSON document. */
  static json(response: http.ServerResponse, value: unknown, status = 200): void {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(value));
  }

  /** Stops listening and drops open connections (a handler that never answers included). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/**
 * One server for a whole test file: listening before its first test, closed after its last, and before
 * each test its requests forgotten and `handler` answering again (a test may set another).
 */
export function useLocalHttpServer(handler: Handler = answerEmpty): LocalHttpServer {
  const server = new LocalHttpServer(handler);
  beforeAll(() => server.listen());
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.handler = handler;
  });
  return server;
}

/** A port on 127.0.0.1 with nothing listening on it (taken from the OS, then let go). */
export async function closedPort(): Promise<number> {
  const server = await LocalHttpServer.start();
  const port = server.port;
  await server.close();
  return port;
}
