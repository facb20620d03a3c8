import { ERROR_STATUS, knownFailure } from '../error-codes';
import { ApiError } from './errors';

/**
 * Maps a failure from a service to an API error. PAR's errors (ParError, matched by class, also
 * when they crossed Temporal as an ApplicationFailure) carry a stable code, and client/error-codes.ts
 * gives its status; they keep their own message. Anything else is a 500 whose details stay in the log.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const known = knownFailure(err);
  if (known) return new ApiError(ERROR_STATUS[known.code], known.code, known.error.message);
  return new ApiError(500, 'internal', 'internal error; the API log has the details');
}
