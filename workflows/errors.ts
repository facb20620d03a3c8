/**
 * The base of PAR's own errors. `code` is stable: the API's error body, the CLI's `--json` error
 * and callers match on it (or on the class), never on the message, which names what was wrong.
 * client/error-codes.ts says what each code means to the API (HTTP status) and the CLI (exit
 * code). Pure TypeScript with no imports: workflow code, activities and clients all extend it.
 */
export abstract class ParError extends Error {
  abstract readonly code: string;
  /** A later attempt can succeed, so Temporal retries an activity that threw it (default: no, the same input fails the same way). */
  readonly retryable?: boolean;
}

/**
 * What a failure that crossed Temporal carries as its first detail when a ParError made it: the
 * worker turns every ParError an activity throws into an ApplicationFailure with this detail
 * (activities/common/activity-failure.ts), and a failed node passes it on (NodeFailed).
 */
export interface ParFailureDetail {
  code: string;
}

/** The code a Temporal failure carries in its first detail (see ParFailureDetail), if any. */
export function detailCode(failure: unknown): string | undefined {
  const details = (failure as { details?: unknown } | null)?.details;
  const first: unknown = Array.isArray(details) ? details[0] : undefined;
  const code = (first as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The first code carried along a failure's cause chain (NodeFailed → ActivityFailure → ApplicationFailure). */
export function carriedCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = detailCode(e);
    if (code) return code;
  }
  return undefined;
}
