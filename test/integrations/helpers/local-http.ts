import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Route = (req: SeenRequest, res: http.ServerResponse, count: number) => void | Promise<void>;

/**
 * A real HTTP server on 127.0.0.1 for tests: routes by path, records every request, counts
 * requests per path, and notes responses whose client hung up before the end.
 */
export class LocalHttpServer {
  readonly seen: SeenRequest[] = [];
  readonly counts = new Map<string, number>();
  /** Paths whose response was cut off by the client. */
  readonly abortedByClient: string[] = [];
  private readonly server: http.Server;
  private readonly routes = new Map<string, Route>();
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';
  port = 0;

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  route(path: string, fn: Route): this {
    this.routes.set(path, fn);
    return this;
  }

  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    const seen: SeenRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.seen.push(seen);
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    res.on('close', () => {
      if (!res.writableFinished) this.abortedByClient.push(path);
    });
    const route = this.routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route ${path}`);
      return;
    }
    await route(seen, res, n);
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
