// A real HTTP server on 127.0.0.1 (port chosen by the OS) for provider tests: it records every request
// (method, path with query, headers, body) and answers with whatever the test's handler says.
import http from 'node:http';
import type net from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void;

export class LocalHttpServer {
  readonly requests: RecordedRequest[] = [];

  private constructor(
    private readonly server: http.Server,
    public handler: Handler,
  ) {}

  static async start(handler: Handler = (_req, res) => res.end()): Promise<LocalHttpServer> {
    const server = http.createServer();
    const instance = new LocalHttpServer(server, handler);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        instance.requests.push(recorded);
        instance.handler(recorded, res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return instance;
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

/** A port on 127.0.0.1 with nothing listening on it (taken from the OS, then let go). */
export async function closedPort(): Promise<number> {
  const server = await LocalHttpServer.start();
  const port = server.port;
  await server.close();
  return port;
}
