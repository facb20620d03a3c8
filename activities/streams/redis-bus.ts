import Redis from 'ioredis';
import type { StreamEnvelope, StreamEvent } from './port';
import type { AbortableStreamBus } from './abortable';
import { EventQueue } from './event-queue';
import { DEFAULT_MAX_EVENTS, DEFAULT_TTL_MS, isTerminal, type StreamBufferOptions } from './terminal';

// One atomic step per event: number it, keep it in the channel's buffer (for Last-Event-ID
// reconnects, from any API process), and announce it to live subscribers.
const PUBLISH_SCRIPT = `
local id = redis.call('INCR', KEYS[1])
local msg = '{"id":' .. id .. ',"event":' .. ARGV[1] .. '}'
redis.call('RPUSH', KEYS[2], msg)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[3], msg)
return id
`;

type Listener = (e: StreamEnvelope) => void;

/** The production adapter: Redis pub/sub between processes, with a per-channel buffer in a Redis list. */
export class RedisStreamBus implements AbortableStreamBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closeHooks = new Set<() => void>();
  private readonly maxEvents: number;
  private readonly ttlMs: number;
  private closed = false;

  constructor(
    readonly url: string,
    opts: StreamBufferOptions & { prefix?: string } = {},
  ) {
    this.maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.prefix = opts.prefix ?? 'par:stream:';
    // Fail fast instead of queueing commands forever while Redis is down: a stream that cannot
    // be delivered must surface as an error, not a hang.
    const common = { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000 };
    this.pub = new Redis(url, common);
    this.sub = new Redis(url, common);
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.pub.defineCommand('parPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
    this.sub.on('message', (redisChannel: string, msg: string) => {
      const set = this.listeners.get(redisChannel);
      if (!set) return;
      const envelope = JSON.parse(msg) as StreamEnvelope;
      for (const l of set) l(envelope);
    });
  }

  private readonly prefix: string;

  private keys(channel: string) {
    const base = this.prefix + channel;
    return { seq: `${base}:seq`, buffer: `${base}:buf`, live: `${base}:live` };
  }

  async publish(channel: string, event: StreamEvent): Promise<void> {
    if (this.closed) throw new Error('stream bus is closed');
    const k = this.keys(channel);
    await (this.pub as unknown as { parPublish(...args: (string | number)[]): Promise<number> }).parPublish(
      k.seq,
      k.buffer,
      k.live,
      JSON.stringify(event),
      this.maxEvents,
      this.ttlMs,
    );
  }

  async *subscribe(channel: string, afterId = 0, signal?: AbortSignal): AsyncIterable<StreamEnvelope> {
    if (this.closed) throw new Error('stream bus is closed');
    const k = this.keys(channel);
    const queue = new EventQueue<StreamEnvelope>();
    const listener: Listener = (e) => queue.push(e);
    // Listen before reading the buffer so nothing published in between is lost; ids drop duplicates.
    let set = this.listeners.get(k.live);
    if (!set) {
      set = new Set();
      this.listeners.set(k.live, set);
      await this.sub.subscribe(k.live);
    }
    set.add(listener);
    const onClose = () => queue.end();
    this.closeHooks.add(onClose);
    signal?.addEventListener('abort', onClose, { once: true });
    try {
      const buffered = await this.pub.lrange(k.buffer, 0, -1);
      let lastId = afterId;
      for (const raw of buffered) {
        const e = JSON.parse(raw) as StreamEnvelope;
        if (e.id <= lastId) continue;
        lastId = e.id;
        yield e;
        if (isTerminal(e.event)) return;
      }
      for (;;) {
        const e = await queue.next();
        if (!e) return;
        if (e.id <= lastId) continue;
        lastId = e.id;
        yield e;
        if (isTerminal(e.event)) return;
      }
    } finally {
      this.closeHooks.delete(onClose);
      signal?.removeEventListener('abort', onClose);
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(k.live) === set) {
        this.listeners.delete(k.live);
        if (!this.closed) await this.sub.unsubscribe(k.live).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.closeHooks) hook();
    await Promise.all([this.pub.quit().catch(() => undefined), this.sub.quit().catch(() => undefined)]);
  }
}
