// One conformance suite for the StreamBus port, run against every adapter.
import type { AbortableStreamBus, StreamBus, StreamEnvelope } from '../../activities/streams';
import { MemoryStreamBus, RedisStreamBus } from '../../activities/streams';
import type { StreamBufferOptions } from '../../activities/streams/terminal';
import { startTestRedis, type TestRedis } from './helpers/redis';

async function collect(it: AsyncIterable<StreamEnvelope>, limit = 1000): Promise<StreamEnvelope[]> {
  const out: StreamEnvelope[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}

type MakeBus = (opts?: StreamBufferOptions) => Promise<{ bus: StreamBus; other?: StreamBus; done(): Promise<void> }>;

function conformance(name: string, make: MakeBus) {
  describe(`StreamBus conformance: ${name}`, () => {
    let bus: StreamBus;
    let other: StreamBus;
    let done: () => Promise<void>;
    beforeAll(async () => {
      const made = await make();
      bus = made.bus;
      other = made.other ?? made.bus;
      done = made.done;
    });
    afterAll(async () => done());
    let n = 0;
    const channel = () => `conf-${process.pid}-${Date.now()}-${n++}`;

    test('live subscriber gets events in order with increasing ids, ending at done', async () => {
      const ch = channel();
      const got = collect(other.subscribe(ch));
      await new Promise((r) => setTimeout(r, 50));
      await bus.publish(ch, { type: 'token', text: 'Hel' });
      await bus.publish(ch, { type: 'token', text: 'lo' });
      await bus.publish(ch, { type: 'done', text: 'Hello' });
      const events = await got;
      expect(events.map((e) => e.event)).toEqual([
        { type: 'token', text: 'Hel' },
        { type: 'token', text: 'lo' },
        { type: 'done', text: 'Hello' },
      ]);
      expect(events.map((e) => e.id)).toEqual([1, 2, 3]);
    });

    test('a late subscriber replays the buffer; afterId skips what it already saw', async () => {
      const ch = channel();
      for (const t of ['a', 'b', 'c']) await bus.publish(ch, { type: 'token', text: t });
      const resumed = collect(other.subscribe(ch, 2));
      await bus.publish(ch, { type: 'error', code: 'model_failed', message: 'boom', retryable: false });
      const events = await resumed;
      expect(events.map((e) => e.id)).toEqual([3, 4]);
      expect(events[0].event).toEqual({ type: 'token', text: 'c' });
      expect(events[1].event.type).toBe('error');
      const all = await collect(other.subscribe(ch));
      expect(all.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    });

    test('channels are independent and a consumer may stop early', async () => {
      const a = channel();
      const b = channel();
      await bus.publish(a, { type: 'token', text: 'A' });
      await bus.publish(b, { type: 'token', text: 'B' });
      const first = await collect(other.subscribe(a), 1);
      expect(first[0].event).toEqual({ type: 'token', text: 'A' });
      await bus.publish(b, { type: 'done', text: 'B' });
      const onB = await collect(other.subscribe(b));
      expect(onB.map((e) => e.event.type)).toEqual(['token', 'done']);
    });

    test('an abort signal ends a waiting subscription', async () => {
      const ch = channel();
      const ac = new AbortController();
      const it = (other as AbortableStreamBus).subscribe(ch, 0, ac.signal)[Symbol.asyncIterator]();
      await bus.publish(ch, { type: 'token', text: 'x' });
      expect((await it.next()).value).toMatchObject({ id: 1 });
      // The subscriber now waits for events that never come; only the abort can end it.
      const next = it.next();
      ac.abort();
      expect((await next).done).toBe(true);
    });

    test('the buffer keeps the newest maxEvents per channel', async () => {
      const small = await make({ maxEvents: 3 });
      const ch = channel();
      for (const t of ['1', '2', '3', '4', '5']) await small.bus.publish(ch, { type: 'token', text: t });
      await small.bus.publish(ch, { type: 'done', text: '12345' });
      const events = await collect((small.other ?? small.bus).subscribe(ch));
      expect(events.map((e) => e.id)).toEqual([4, 5, 6]);
      await small.done();
    });

    test('close ends open subscriptions instead of hanging', async () => {
      const made = await make();
      const ch = channel();
      const it = made.other ?? made.bus;
      const sub = it.subscribe(ch)[Symbol.asyncIterator]();
      await made.bus.publish(ch, { type: 'token', text: 'x' });
      expect((await sub.next()).value).toMatchObject({ id: 1 });
      const next = sub.next();
      await it.close();
      expect((await next).done).toBe(true);
      await made.done();
    });
  });
}

conformance('memory', async (opts) => {
  const bus = new MemoryStreamBus(opts);
  return { bus, done: () => bus.close() };
});

// redis-server comes from the set-up step (scripts/system-packages.json); without it this fails, saying so.
let redis: TestRedis | undefined;
afterAll(async () => redis?.stop());
// Publisher and subscriber are separate bus instances, i.e. separate connections as between processes.
conformance('redis', async (opts) => {
  redis ??= await startTestRedis();
  const prefix = `t${Date.now()}${Math.random().toString(36).slice(2)}:`;
  const bus = new RedisStreamBus(redis.url, { prefix, ...opts });
  const other = new RedisStreamBus(redis.url, { prefix, ...opts });
  return { bus, other, done: async () => void (await Promise.all([bus.close(), other.close()])) };
});
