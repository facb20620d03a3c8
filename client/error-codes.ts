import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { detailCode, ParError } from '../workflows/errors';

/**
 * What each error code means to a caller, in one place: the API answers with this HTTP status,
 * the CLI exits 2 for what the caller sent (4xx other than not found / conflict) and 1 otherwise.
 * The codes are ParError codes (see the error classes), plus Temporal's own failures. A code not
 * listed is a 500 whose message stays in the log.
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  // What the caller sent cannot work (400).
  invalid_input: 400, // MemoryError
  invalid_flow: 400, // FlowValidationError
  invalid_act_request: 400, // ActRequestError
  bad_vault_name: 400, // VaultError
  empty_text: 400,
  bad_metadata: 400,
  bad_request: 400, // VaultError, ChatError, ModelError
  bad_import: 400,
  context_overflow: 400, // ChatError, ModelError
  missing_api_key: 400, // ModelError: the caller's request names a model whose key is not set
  unknown_provider: 400,
  bad_model_id: 400,
  dimension_mismatch: 400, // VectorStoreError
  bad_filter: 400,
  bad_query: 400,
  bad_record: 400,
  bad_input: 400, // ActScriptError: a malformed act request
  // What the caller named does not exist (404).
  vault_not_found: 404, // VaultError
  item_not_found: 404,
  memory_not_found: 404, // MemoryError
  flow_not_found: 404, // FlowFileError, StoredFlowNotFoundError
  unknown_collection: 404, // VectorStoreError
  run_not_found: 404, // Temporal's WorkflowNotFoundError
  // The state does not allow it now (409).
  model_mismatch: 409, // VaultError
  approval_refused: 409, // ApprovalRefusedError, ApprovalRejectedError
  name_taken: 409, // KeyNameTakenError
  run_exists: 409, // Temporal's WorkflowExecutionAlreadyStartedError
  version_conflict: 409, // FlowVersionConflictError: a save from a version that is no longer the latest
  lease_held: 409, // LeaseHeldError: another process holds the work's lease (par db reembed)
  // A model provider, or the provider's set-up, failed (502): ModelError.
  authentication: 502,
  permission_denied: 502,
  not_found: 502,
  request_timeout: 502,
  conflict: 502,
  rate_limited: 502,
  server_error: 502,
  network: 502,
  first_token_timeout: 502,
  stream_error: 502,
  bad_response: 502,
  act_failed: 502, // ActScriptError: the worker or its sandbox failed the try-out
  cancelled: 502,
  // This installation cannot serve it now (503).
  temporal_unreachable: 503, // TemporalUnreachableError
  sandbox_unavailable: 503, // SandboxUnavailableError, SandboxStagingError
  session_archive_unavailable: 503, // SessionArchiveError
};

/** The CLI's exit code for an HTTP status: 2 for what the caller sent (4xx but 404 and 409), 1 for everything else. */
export function exitCodeForStatus(status: number): number {
  return status >= 400 && status < 500 && status !== 404 && status !== 409 ? 2 : 1;
}

/**
 * Codes whose exit code is not their status's: a flow named on the command line that does not
 * exist, or a key name that is taken, is the caller's input (as `par flow run` always said).
 */
const EXIT_CODE: Readonly<Record<string, number>> = { flow_not_found: 2, name_taken: 2 };

/** The CLI's exit code for an error code, the same whether the CLI ran it here or the API did. */
export function exitCodeFor(code: string): number {
  return EXIT_CODE[code] ?? exitCodeForStatus(ERROR_STATUS[code] ?? 500);
}

/**
 * The exit code for an error the API answered with: by its code when the table has it (so remote
 * and local calls exit alike), else by the HTTP status (401, 403, 413 and the like: 2).
 */
export function exitCodeForApiError(err: { status: number; code: string }): number {
  return err.code in ERROR_STATUS ? exitCodeFor(err.code) : exitCodeForStatus(err.status);
}

/** Fixed codes of the classes whose failures cross Temporal (an activity or update handler threw them). */
const CODE_OF_FAILURE_TYPE: Readonly<Record<string, string>> = {
  FlowValidationError: 'invalid_flow',
  ApprovalRejectedError: 'approval_refused',
  ActRequestError: 'invalid_act_request',
  SandboxUnavailableError: 'sandbox_unavailable',
};

/** The error's code, when it is one of PAR's (or Temporal's) known failures; undefined otherwise. */
export function errorCodeOf(err: unknown): string | undefined {
  if (err instanceof ParError) return err.code in ERROR_STATUS ? err.code : undefined;
  if (err instanceof WorkflowNotFoundError) return 'run_not_found';
  if (err instanceof WorkflowExecutionAlreadyStartedError) return 'run_exists';
  if (err instanceof ApplicationFailure) {
    // A ParError thrown in an activity arrives as an ApplicationFailure whose first detail holds
    // its code (workers/activity-failures.ts); a failed node passes the code on (NodeFailed).
    const detail = detailCode(err);
    if (detail && detail in ERROR_STATUS) return detail;
    if (err.type && CODE_OF_FAILURE_TYPE[err.type]) return CODE_OF_FAILURE_TYPE[err.type];
  }
  return undefined;
}

/** The innermost known failure in an error's cause chain (WorkflowFailedError → ActivityFailure → ApplicationFailure). */
export function knownFailure(err: unknown): { error: Error; code: string } | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = errorCodeOf(e);
    if (code) return { error: e, code };
  }
  return undefined;
}
