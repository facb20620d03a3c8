import type { AbortableStreamBus, StreamEvent } from '../../activities/streams';
import { isTerminal } from '../../activities/streams';

/**
 * Runs a stream of events into a bus channel, so SSE clients (now or after a reconnect, on this
 * or another API process) read it from the bus. The work stops early only when nobody has
 * watched the channel for `abandonAfterMs`: a client that drops and comes back in time with
 * Last-Event-ID finds the rest waiting.
 */
export class StreamProducers {
  private readonly watchers = new Map<string, { count: number; abandon?: NodeJS.Timeout; ac: AbortController }>();

  constructor(
    private readonly bus: AbortableStreamBus,
    private readonly abandonAfterMs: number,
  ) {}

  start(channel: string, produce: (signal: AbortSignal) => AsyncIterable<StreamEvent>): void {
    const ac = new AbortController();
    this.watchers.set(channel, { count: 0, ac });
    void this.run(channel, produce, ac);
  }

  private async run(channel: string, produce: (signal: AbortSignal) => AsyncIterable<StreamEvent>, ac: AbortController): Promise<void> {
    let ended = false;
    try {
      for await (const event of produce(ac.signal)) {
        // After an abort a producer may still finish with a partial "done": that would read as a full answer.
        if (ac.signal.aborted) break;
        await this.bus.publish(channel, event);
        if (isTerminal(event)) {
          ended = true;
          break;
        }
      }
      if (!ended) {
        await this.bus.publish(channel, ac.signal.aborted
          ? { type: 'error', code: 'abandoned', message: 'the stream was stopped because no client was reading it', retryable: false }
          : { type: 'error', code: 'stream_incomplete', message: 'the producer ended without a done event', retryable: false });
      }
    } catch (err) {
      const e = err as { code?: unknown; message?: string; retryable?: unknown };
      await this.bus
        .publish(channel, {
          type: 'error',
          code: typeof e.code === 'string' ? e.code : 'stream_failed',
          message: e.message ?? String(err),
          retryable: e.retryable === true,
        })
        .catch(() => undefined);
    } finally {
      const w = this.watchers.get(channel);
      if (w?.abandon) clearTimeout(w.abandon);
      this.watchers.delete(channel);
    }
  }

  /** A client started reading the channel; the returned function says it stopped. */
  watch(channel: string): () => void {
    const w = this.watchers.get(channel);
    if (!w) return () => undefined;
    w.count++;
    if (w.abandon) clearTimeout(w.abandon);
    w.abandon = undefined;
    return () => {
      w.count--;
      if (w.count === 0 && this.watchers.get(channel) === w) {
        w.abandon = setTimeout(() => w.ac.abort(), this.abandonAfterMs);
        w.abandon.unref();
      }
    };
  }

  /** Stops every running producer (API shutdown). */
  stopAll(): void {
    for (const w of this.watchers.values()) w.ac.abort();
  }
}
