import type { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../common/activity-failure';
import { ParError } from '../../workflows/errors';

/**
 * Why a model call failed, as a stable code. Retryable codes are the ones a later attempt can
 * fix (rate limits, provider outages, the network); the rest need a change of input or setup.
 */
export type ModelErrorCode =
  | 'missing_api_key'
  | 'unknown_provider'
  | 'bad_model_id'
  | 'authentication'
  | 'permission_denied'
  | 'not_found'
  | 'bad_request'
  | 'context_overflow'
  | 'request_timeout'
  | 'conflict'
  | 'rate_limited'
  | 'server_error'
  | 'network'
  | 'first_token_timeout'
  | 'stream_error'
  | 'bad_response'
  | 'cancelled';

const RETRYABLE: ReadonlySet<ModelErrorCode> = new Set<ModelErrorCode>([
  'request_timeout',
  'conflict',
  'rate_limited',
  'server_error',
  'network',
  'first_token_timeout',
  'stream_error',
]);

export interface ModelErrorInit {
  model?: string;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/** A model call failure with its retry class. Every adapter throws only this. */
export class ModelError extends ParError {
  override name = 'ModelError';
  override readonly retryable: boolean;
  readonly model?: string;
  readonly status?: number;
  /** From the provider's Retry-After / retry-after-ms header, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(
    readonly code: ModelErrorCode,
    message: string,
    init: ModelErrorInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.retryable = RETRYABLE.has(code);
    this.model = init.model;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }

  toJSON() {
    return { code: this.code, message: this.message, retryable: this.retryable, model: this.model, status: this.status, retryAfterMs: this.retryAfterMs };
  }
}

/** The code an HTTP status from a provider means. */
export function codeForStatus(status: number): ModelErrorCode {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 408) return 'request_timeout';
  if (status === 409) return 'conflict';
  if (status === 413) return 'context_overflow';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/**
 * Reads `retry-after-ms` (OpenAI) or `Retry-After` (seconds or an HTTP date). Returns undefined
 * for a missing or unreadable header, so the retry policy's own backoff applies.
 */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The Temporal form of a model error: the activity's retry policy retries it unless it is
 * non-retryable, and waits the provider's Retry-After instead of its own backoff when given.
 */
export function toApplicationFailure(err: ModelError): ApplicationFailure {
  return toActivityFailure(err, `ModelError.${err.code}`);
}
