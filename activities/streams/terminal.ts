import type { StreamEvent } from './port';

/** done and error end a channel: subscribers stop after them. */
export function isTerminal(event: StreamEvent): boolean {
  return event.type === 'done' || event.type === 'error';
}

/** Limits shared by the adapters: how much of a channel is kept for reconnecting clients, and for how long. */
export interface StreamBufferOptions {
  /** Events kept per channel (oldest dropped first). */
  maxEvents?: number;
  /** How long a channel's buffer outlives its last event, in ms. */
  ttlMs?: number;
}

export const DEFAULT_MAX_EVENTS = 10_000;
export const DEFAULT_TTL_MS = 15 * 60_000;
