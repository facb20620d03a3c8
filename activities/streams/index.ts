// The stream bus a process uses: Redis pub/sub when PAR_REDIS_URL is set (API and workers in
// separate processes), otherwise the in-process adapter (everything in one process).
import type { StreamBus } from './port';
import { MemoryStreamBus } from './memory-bus';
import { RedisStreamBus } from './redis-bus';

export type { StreamBus, StreamEnvelope, StreamEvent } from './port';
export { MemoryStreamBus } from './memory-bus';
export { RedisStreamBus } from './redis-bus';
export { isTerminal } from './terminal';

export function createStreamBus(env: NodeJS.ProcessEnv = process.env): StreamBus {
  const url = env.PAR_REDIS_URL;
  return url ? new RedisStreamBus(url) : new MemoryStreamBus();
}

let shared: StreamBus | undefined;

/** The process-wide bus: model activities publish to it and the API subscribes to it. */
export function sharedStreamBus(): StreamBus {
  shared ??= createStreamBus();
  return shared;
}

/** Replaces the process-wide bus (tests, or an API that built its own). */
export function setSharedStreamBus(bus: StreamBus | undefined): void {
  shared = bus;
}

/** The channel a flow run's model tokens are published to. */
export function runStreamChannel(runId: string): string {
  return `run:${runId}`;
}
