import { codeForStatus, ModelError, parseRetryAfter } from './errors';
import type { CallGuard } from './call-guard';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes both provider SDKs (openai, @anthropic-ai/sdk) export under these names. */
export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIUserAbortError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
}

interface ApiErrorShape extends Error {
  status?: number;
  headers?: Headers;
  code?: string | null;
  type?: string | null;
  error?: unknown;
}

/** Turns whatever an SDK threw into a ModelError with the right retry class. */
export function translateSdkError(err: unknown, sdk: SdkErrorClasses, modelId: string, guard: CallGuard): ModelError {
  if (err instanceof ModelError) return err;
  const aborted = guard.abortError();
  if (aborted) return aborted;
  if (err instanceof sdk.APIUserAbortError) return new ModelError('cancelled', `the call to ${modelId} was aborted`, { model: modelId, cause: err });
  if (err instanceof sdk.APIConnectionTimeoutError) return new ModelError('request_timeout', `${modelId}: the request timed out`, { model: modelId, cause: err });
  if (err instanceof sdk.APIConnectionError) {
    const cause = (err as Error & { cause?: Error }).cause;
    return new ModelError('network', `${modelId}: could not reach the provider (${cause?.message ?? err.message})`, { model: modelId, cause: err });
  }
  if (err instanceof sdk.APIError) {
    const apiErr = err as ApiErrorShape;
    if (typeof apiErr.status === 'number') {
      let code = codeForStatus(apiErr.status);
      if (code === 'bad_request' && /context|too long|maximum.*tokens|prompt is too long/i.test(`${apiErr.code ?? ''} ${apiErr.message}`)) code = 'context_overflow';
      return new ModelError(code, `${modelId}: provider answered ${apiErr.message}`, {
        model: modelId,
        status: apiErr.status,
        retryAfterMs: parseRetryAfter(apiErr.headers),
        cause: err,
      });
    }
    // No status: the provider sent an error event in the middle of a stream (e.g. overloaded).
    return new ModelError('stream_error', `${modelId}: the stream failed: ${apiErr.message}`, { model: modelId, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ModelError('stream_error', `${modelId}: ${message}`, { model: modelId, cause: err });
}

/** Tool arguments arrive as JSON text; a model that sends broken JSON gets a clear error. */
export function parseToolArguments(raw: string, toolName: string, modelId: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ModelError('bad_response', `${modelId} called tool "${toolName}" with arguments that are not a JSON object: ${raw.slice(0, 200)}`, { model: modelId });
}
