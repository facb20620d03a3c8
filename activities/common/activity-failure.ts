import { ApplicationFailure } from '@temporalio/common';
import type { ParError, ParFailureDetail } from '../../workflows/errors';

/**
 * The Temporal form of a ParError thrown by an activity: type is the class name (unless the class
 * says more, as ModelError's `ModelError.<code>`), the message is its own, the first detail
 * carries the code (and the error's own JSON form, when it has one), and it is retried only when
 * the error says a later attempt can succeed, after the delay it names.
 */
export function toActivityFailure(err: ParError, type: string = err.name): ApplicationFailure {
  const own = typeof (err as { toJSON?: unknown }).toJSON === 'function' ? (err as unknown as { toJSON(): object }).toJSON() : {};
  const detail: ParFailureDetail = { ...own, code: err.code };
  const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
  return ApplicationFailure.create({
    type,
    message: err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: typeof retryAfterMs === 'number' ? retryAfterMs : undefined,
    details: [detail],
    cause: err.cause instanceof Error ? err.cause : undefined,
  });
}
