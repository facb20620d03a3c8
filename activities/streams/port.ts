import type { ContextItem, ModelUsage } from '../contracts';

/**
 * What a streaming model call emits, in order: tokens, optional context, usage, then done or error.
 * A call that Temporal retries emits `restart` first on each new attempt: the text streamed since
 * the previous `done` (or the start) belongs to a failed attempt and is sent again from scratch.
 */
export type StreamEvent =
  | { type: 'token'; text: string }
  | { type: 'restart'; attempt: number; message: string }
  | { type: 'context'; items: ContextItem[]; searchQuery?: string }
  | { type: 'usage'; usage: ModelUsage; model: string; latencyMs: number }
  | { type: 'error'; code: string; message: string; retryable: boolean }
  | { type: 'done'; text: string };

export interface StreamEnvelope {
  /** Monotonic per channel, usable as an SSE Last-Event-ID. */
  id: number;
  event: StreamEvent;
}

/**
 * Carries events from a model activity on a worker to whoever streams them (the API's SSE
 * clients). Embedded adapter: in-process; production adapter: Redis pub/sub across processes.
 */
export interface StreamBus {
  publish(channel: string, event: StreamEvent): Promise<void>;
  /** Events after `afterId` (replayed from the buffer), then live ones, until done/error. */
  subscribe(channel: string, afterId?: number): AsyncIterable<StreamEnvelope>;
  close(): Promise<void>;
}
