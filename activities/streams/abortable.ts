import type { StreamBus, StreamEnvelope } from './port';

/**
 * The port plus an abort signal on subscribe: the API ends a subscription the moment its SSE
 * client disconnects, even while no event is arriving (a plain async iterator cannot be
 * returned while it waits).
 */
export interface AbortableStreamBus extends StreamBus {
  subscribe(channel: string, afterId?: number, signal?: AbortSignal): AsyncIterable<StreamEnvelope>;
}
