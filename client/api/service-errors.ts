import { ApiError } from './errors';

/**
 * Maps a failure from a service to an API error. Services throw typed errors whose names and
 * codes say what went wrong; those become 4xx with the service's own message. Anything else is
 * a 500 whose details stay in the log.
 */
const BY_NAME: Record<string, [number, string]> = {
  VaultNotFoundError: [404, 'vault_not_found'],
  ItemNotFoundError: [404, 'item_not_found'],
  RunNotFoundError: [404, 'run_not_found'],
  FlowNotFoundError: [404, 'flow_not_found'],
  SessionNotFoundError: [404, 'session_not_found'],
  FlowValidationError: [400, 'invalid_flow'],
  FlowFileError: [404, 'flow_not_found'],
  ApprovalRefusedError: [409, 'approval_refused'],
  ValidationError: [400, 'invalid_input'],
  NoPendingApprovalError: [409, 'no_pending_approval'],
  RunNotActiveError: [409, 'run_not_active'],
  WorkflowExecutionAlreadyStartedError: [409, 'run_exists'],
  WorkflowNotFoundError: [404, 'run_not_found'],
  TemporalUnreachableError: [503, 'temporal_unreachable'],
};

/** Domain errors that carry a code: *_not_found is 404, the listed conflicts 409, the rest the caller's 400. */
const CODED_ERRORS = new Set(['VaultError', 'ChatError']);
const CONFLICT_CODES = new Set(['model_mismatch', 'run_not_active', 'no_pending_approval', 'already_exists']);

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (err.name === 'VectorStoreError' && typeof code === 'string' && code !== 'backend') {
      // bad_filter / bad_query / bad_record come from what the caller sent (a filter, a cursor).
      return new ApiError(code === 'unknown_collection' ? 404 : 400, code, err.message);
    }
    if (err.name === 'ModelError' && typeof code === 'string') {
      // The caller's request (model id, prompt size) is a 400; the provider or its setup failing is a 502.
      const callerFault = ['unknown_provider', 'bad_model_id', 'bad_request', 'context_overflow', 'missing_api_key'].includes(code);
      return new ApiError(callerFault ? 400 : 502, code, err.message);
    }
    if (['MemoryError', 'MemoryInputError', 'MemoryNotFoundError'].includes(err.name)) {
      const memoryStatus: Record<string, [number, string]> = { bad_input: [400, 'invalid_input'], not_found: [404, 'memory_not_found'], conflict: [409, 'conflict'] };
      const [status, apiCode] = memoryStatus[String(code)] ?? [400, 'invalid_input'];
      return new ApiError(status, apiCode, err.message);
    }
    if (CODED_ERRORS.has(err.name) && typeof code === 'string') {
      const status = code.endsWith('_not_found') ? 404 : CONFLICT_CODES.has(code) ? 409 : 400;
      return new ApiError(status, code, err.message);
    }
    const mapped = BY_NAME[err.name] ?? BY_NAME[err.constructor?.name ?? ''];
    if (mapped) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? String((err as { code?: unknown }).code) : mapped[1];
      return new ApiError(mapped[0], code, err.message);
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500 && typeof (err as { code?: unknown }).code === 'string') {
      return new ApiError(status, String((err as { code?: unknown }).code), err.message);
    }
  }
  return new ApiError(500, 'internal', 'internal error; the API log has the details');
}
