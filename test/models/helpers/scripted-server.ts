import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the scripted provider answers to one request. */
export interface ScriptedReply {
  /** Answer with this HTTP error status (and the provider's error body) instead of a completion. */
  status?: number;
  errorMessage?: string;
  headers?: Record<string, string>;
  text?: string;
  /** Streamed text is cut into these pieces (default: words). */
  chunks?: string[];
  toolCalls?: { id: string; name: string; arguments: Record<string, unknown> }[];
  finishReason?: 'stop' | 'length' | 'tool_calls';
  usage?: { inputTokens: number; outputTokens: number };
  /** Wait this long before the first byte of the response. */
  delayMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
  /**
   * Streaming only: after the first text chunk, send nothing more until this settles (or a minute
   * passed, counted in `holdsTimedOut`). Lets a test prove a token arrived while the rest was held.
   */
  holdAfterFirstChunk?: Promise<unknown>;
  /** Send a provider error event after the first text chunk (streaming only). */
  failMidStream?: boolean;
  /** Close the connection without answering. */
  dropConnection?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type Responder = (req: RecordedRequest) => ScriptedReply;

/**
 * A local HTTP server on 127.0.0.1 answering one wire protocol with scripted replies, taken
 * in order from a queue (then from a fallback responder). Records every request it saw.
 */
export abstract class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose client hung up before the response was complete. */
  abortedByClient = 0;
  /** Streams whose holdAfterFirstChunk did not settle within a minute. */
  holdsTimedOut = 0;
  private readonly queue: ScriptedReply[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';

  constructor(
    readonly apiKey: string,
    private fallback: Responder = () => ({ text: 'ok' }),
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Replies for the next requests, in order. */
  enqueue(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  respondWith(responder: Responder): void {
    this.fallback = responder;
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.abortedByClient = 0;
    this.holdsTimedOut = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Called by writeStream before text chunk `i`: the scripted hold and delay between chunks. */
  protected async beforeChunk(reply: ScriptedReply, i: number): Promise<void> {
    if (i === 1 && reply.holdAfterFirstChunk) {
      const released = await Promise.race([reply.holdAfterFirstChunk.then(() => true), sleep(60_000).then(() => false)]);
      if (!released) this.holdsTimedOut++;
    }
    if (i > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
  }

  /** A protocol-level reason to refuse the request with a 400, as the real API would. */
  protected validate(_req: RecordedRequest): string | undefined {
    return undefined;
  }

  protected abstract route(path: string): boolean;
  protected abstract authorized(headers: http.IncomingHttpHeaders): boolean;
  protected abstract errorBody(status: number, message: string): unknown;
  protected abstract writeJson(res: http.ServerResponse, reply: ScriptedReply, req: RecordedRequest): void;
  protected abstract writeStream(res: http.ServerResponse, reply: ScriptedReply, req: RecordedRequest): Promise<void>;

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) this.abortedByClient++;
    });
    if (req.method !== 'POST' || !this.route(recorded.path)) return this.sendError(res, 404, `no route ${req.method} ${recorded.path}`);
    if (!this.authorized(req.headers)) return this.sendError(res, 401, 'invalid api key');
    const invalid = this.validate(recorded);
    if (invalid) return this.sendError(res, 400, invalid);
    // A client that hung up before its request was read (a call aborted early, on a busy machine)
    // takes no scripted reply: it would otherwise take the one queued for the next call.
    if (req.socket.destroyed) return;
    const reply = this.queue.shift() ?? this.fallback(recorded);
    if (reply.delayMs) {
      await Promise.race([sleep(reply.delayMs), new Promise((resolve) => res.once('close', resolve))]);
      if (res.destroyed) return;
    }
    if (reply.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (reply.status && reply.status >= 400) return this.sendError(res, reply.status, reply.errorMessage ?? `scripted ${reply.status}`, reply.headers);
    if (recorded.body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
      // Flush headers at once so a client sees the response start, as real providers do.
      res.flushHeaders();
      await this.writeStream(res, reply, recorded);
      res.end();
    } else {
      this.writeJson(res, reply, recorded);
    }
  }

  private sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(this.errorBody(status, message)));
  }
}

export function sleep(ms: number): Promise<void> {
  // Unref'd so a long scripted delay never keeps the test process alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function pieces(reply: ScriptedReply): string[] {
  if (reply.chunks) return reply.chunks;
  const text = reply.text ?? '';
  return text ? (text.match(/\S+\s*/g) ?? [text]) : [];
}

export function sse(res: http.ServerResponse, data: unknown, event?: string): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}
