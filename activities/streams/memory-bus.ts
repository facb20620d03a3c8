import type { StreamEnvelope, StreamEvent } from './port';
import type { AbortableStreamBus } from './abortable';
import { EventQueue } from './event-queue';
import { DEFAULT_MAX_EVENTS, DEFAULT_TTL_MS, isTerminal, type StreamBufferOptions } from './terminal';

interface Channel {
  nextId: number;
  buffer: StreamEnvelope[];
  listeners: Set<(e: StreamEnvelope) => void>;
  expiry?: NodeJS.Timeout;
}

/** The embedded adapter: one process, channels in memory, buffered for reconnects. */
export class MemoryStreamBus implements AbortableStreamBus {
  private channels = new Map<string, Channel>();
  private closed = false;
  private closeHooks = new Set<() => void>();
  private readonly maxEvents: number;
  private readonly ttlMs: number;

  constructor(opts: StreamBufferOptions = {}) {
    this.maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  }

  private channel(name: string): Channel {
    let ch = this.channels.get(name);
    if (!ch) {
      ch = { nextId: 1, buffer: [], listeners: new Set() };
      this.channels.set(name, ch);
    }
    return ch;
  }

  async publish(channel: string, event: StreamEvent): Promise<void> {
    if (this.closed) throw new Error('stream bus is closed');
    const ch = this.channel(channel);
    const envelope: StreamEnvelope = { id: ch.nextId++, event };
    ch.buffer.push(envelope);
    if (ch.buffer.length > this.maxEvents) ch.buffer.splice(0, ch.buffer.length - this.maxEvents);
    if (ch.expiry) clearTimeout(ch.expiry);
    // Idle channels are forgotten so a long-running API does not keep every stream forever.
    ch.expiry = setTimeout(() => {
      if (ch!.listeners.size === 0) this.channels.delete(channel);
    }, this.ttlMs);
    ch.expiry.unref();
    for (const listener of ch.listeners) listener(envelope);
  }

  async *subscribe(channel: string, afterId = 0, signal?: AbortSignal): AsyncIterable<StreamEnvelope> {
    if (this.closed) throw new Error('stream bus is closed');
    const ch = this.channel(channel);
    const queue = new EventQueue<StreamEnvelope>();
    for (const e of ch.buffer) if (e.id > afterId) queue.push(e);
    const listener = (e: StreamEnvelope) => queue.push(e);
    ch.listeners.add(listener);
    const onClose = () => queue.end();
    this.closeHooks.add(onClose);
    signal?.addEventListener('abort', onClose, { once: true });
    try {
      for (;;) {
        const e = await queue.next();
        if (!e) return;
        yield e;
        if (isTerminal(e.event)) return;
      }
    } finally {
      ch.listeners.delete(listener);
      this.closeHooks.delete(onClose);
      signal?.removeEventListener('abort', onClose);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const hook of this.closeHooks) hook();
    for (const ch of this.channels.values()) if (ch.expiry) clearTimeout(ch.expiry);
    this.channels.clear();
  }
}
