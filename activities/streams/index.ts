// The stream bus a process uses: Redis pub/sub when PAR_REDIS_URL is set (API and workers in
// separate processes), otherwise the in-process adapter (everything in one process).
import type { AbortableStreamBus } from './abortable';
import { MemoryStreamBus } from './memory-bus';
import { RedisStreamBus } from './redis-bus';

export type { StreamBus, StreamEnvelope, StreamEvent } from './port';
export { MemoryStreamBus } from './memory-bus';
export { RedisStreamBus } from './redis-bus';
export { isTerminal } from './terminal';
export type { AbortableStreamBus } from './abortable';

export function createStreamBus(env: NodeJS.ProcessEnv = process.env): AbortableStreamBus {
  const url = env.PAR_REDIS_URL;
  return url ? new RedisStreamBus(url) : new MemoryStreamBus();
}

let shared: AbortableStreamBus | undefined;

/** The process-wide bus: model activities publish to it and the API subscribes to it. */
export function sharedStreamBus(): AbortableStreamBus {
  shared ??= createStreamBus();
  return shared;
}

/** Replaces the process-wide bus (tests, or an API that built its own). */
export function setSharedStreamBus(bus: AbortableStreamBus | undefined): void {
  shared = bus;
}

/** The channel a flow run's model tokens are published to. */
export function runStreamChannel(runId: string): string {
  return `run:${runId}`;
}
