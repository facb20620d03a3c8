import type http from 'node:http';
import type { AbortableStreamBus, StreamEnvelope } from '../../activities/streams';
import { isTerminal } from '../../activities/streams';

export interface SseOptions {
  /** A comment line is sent after this long without output, so proxies and clients keep the connection. */
  keepAliveMs: number;
  /** With no event for this long the stream ends with a retryable stream_stalled error, never a silent hang. */
  idleTimeoutMs: number;
}

/** PAR_SSE_KEEPALIVE_MS and PAR_SSE_IDLE_TIMEOUT_MS, when set. */
export function sseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SseOptions> {
  const read = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 10) throw new Error(`${name}=${raw} must be a whole number of milliseconds (at least 10)`);
    return n;
  };
  return { keepAliveMs: read('PAR_SSE_KEEPALIVE_MS'), idleTimeoutMs: read('PAR_SSE_IDLE_TIMEOUT_MS') };
}

/** Writes server-sent events: "id", "event" and JSON "data" per event, comments as keep-alives. */
export class SseWriter {
  private lastWrite = Date.now();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly res: http.ServerResponse,
    keepAliveMs: number,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    this.timer = setInterval(() => {
      if (Date.now() - this.lastWrite >= keepAliveMs) this.write(': keep-alive\n\n');
    }, Math.max(10, Math.floor(keepAliveMs / 2)));
  }

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  send(id: number | undefined, event: string, data: unknown): void {
    this.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    this.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
  }

  private write(chunk: string): void {
    if (!this.open) return;
    this.lastWrite = Date.now();
    this.res.write(chunk);
  }

  end(): void {
    clearInterval(this.timer);
    if (this.open) this.res.end();
  }
}

/** The Last-Event-ID a reconnecting client sent (header, or ?lastEventId= for EventSource-less clients). */
export function lastEventId(req: http.IncomingMessage, query: URLSearchParams): number {
  const raw = (req.headers['last-event-id'] as string | undefined) ?? query.get('lastEventId') ?? '0';
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * Relays one bus channel to an SSE client until done/error, the client leaves, or the channel
 * goes quiet for too long (a producer that died: the client gets a retryable error and can
 * reconnect with Last-Event-ID once the work is retried elsewhere).
 */
export async function relayChannel(
  bus: AbortableStreamBus,
  channel: string,
  afterId: number,
  sse: SseWriter,
  signal: AbortSignal,
  opts: SseOptions,
): Promise<'finished' | 'disconnected' | 'stalled'> {
  const ac = new AbortController();
  const onClientGone = () => ac.abort();
  signal.addEventListener('abort', onClientGone, { once: true });
  let stalled = false;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      stalled = true;
      ac.abort();
    }, opts.idleTimeoutMs);
  };
  let lastId = afterId;
  try {
    armIdle();
    try {
      for await (const envelope of bus.subscribe(channel, afterId, ac.signal) as AsyncIterable<StreamEnvelope>) {
        armIdle();
        lastId = envelope.id;
        sse.send(envelope.id, envelope.event.type, envelope.event);
        if (isTerminal(envelope.event)) return 'finished';
      }
    } catch (err) {
      // The bus itself failed (e.g. Redis unreachable): say so on the stream rather than just closing it.
      sse.send(undefined, 'error', {
        type: 'error',
        code: 'stream_unavailable',
        message: `the stream bus failed: ${(err as Error).message}. Reconnect with Last-Event-ID: ${lastId}.`,
        retryable: true,
      });
      return 'stalled';
    }
    if (stalled) {
      sse.send(undefined, 'error', {
        type: 'error',
        code: 'stream_stalled',
        message: `no event on this stream for ${opts.idleTimeoutMs} ms after event ${lastId}; the producer may have died. Reconnect with Last-Event-ID: ${lastId} to resume if the work is retried.`,
        retryable: true,
      });
      return 'stalled';
    }
    return 'disconnected';
  } finally {
    if (idle) clearTimeout(idle);
    signal.removeEventListener('abort', onClientGone);
  }
}
