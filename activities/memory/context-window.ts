// The context manager's pure part: what of a history is sent to the model. No Node APIs, so
// workflow code can use it on the run's in-memory history.
import type { ModelMessage } from '../contracts';

/**
 * System messages plus the last `maxHistory` other messages, in their original order. The
 * stored history is untouched. A window never starts with tool results whose assistant tool call
 * fell outside it (providers reject those), so it may hold slightly fewer than maxHistory.
 */
export function windowMessages(messages: readonly ModelMessage[], maxHistory?: number): ModelMessage[] {
  if (maxHistory === undefined) return [...messages];
  if (!Number.isInteger(maxHistory) || maxHistory < 0) throw new Error(`maxHistory must be a non-negative integer, got ${maxHistory}`);
  const keep = new Set<number>();
  let left = maxHistory;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'system') keep.add(i);
    else if (left > 0) {
      keep.add(i);
      left--;
    }
  }
  // Drop tool results at the start of the window: their call is not in it.
  const firstOther = messages.findIndex((m, i) => keep.has(i) && m.role !== 'system');
  if (firstOther >= 0) for (let i = firstOther; i < messages.length && messages[i].role === 'tool'; i++) keep.delete(i);
  return messages.filter((_, i) => keep.has(i));
}

/** Appends messages to a run's history, returning a new array (workflow state stays immutable). */
export function appendMessages(history: readonly ModelMessage[], ...messages: ModelMessage[]): ModelMessage[] {
  return [...history, ...messages];
}

/** The first user message, the default task signature of a run. */
export function firstUserMessage(messages: readonly ModelMessage[]): string {
  return messages.find((m) => m.role === 'user')?.content ?? '';
}
