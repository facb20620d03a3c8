// One error base class (ParError) with stable codes and one code -> status table for the API and
// the CLI: every code a class can carry is in the table, the API maps by class (also after the
// error crossed Temporal's failure converter, as activity failures do), unknown errors are 500s.
import { ActivityFailure, ApplicationFailure, DefaultFailureConverter, defaultPayloadConverter, ensureTemporalFailure } from '@temporalio/common';
import { ChatError } from '../../activities/chat/errors';
import { MemoryError, MemoryInputError, MemoryNotFoundError } from '../../activities/memory/errors';
import { ModelError, toApplicationFailure, type ModelErrorCode } from '../../activities/models/errors';
import { VaultError } from '../../activities/vaults/errors';
import { VectorStoreError } from '../../activities/vectors/errors';
import { ActRequestError, SandboxUnavailableError } from '../../activities/act/errors';
import { toApiError } from '../../client/api/service-errors';
import { ERROR_STATUS, exitCodeFor, exitCodeForApiError } from '../../client/error-codes';
import { toActivityFailure } from '../../activities/common/activity-failure';
import { ApprovalRefusedError, SessionArchiveError } from '../../client/services/flows';
import { FlowFileError } from '../../client/services/flow-registry';
import { TemporalUnreachableError } from '../../client/temporal';
import { ParError } from '../../workflows/errors';
import { FlowValidationError } from '../../workflows/flow/validation-issue';

// Each object must list exactly the class's codes (the compiler checks), so a new code that the
// table lacks fails here rather than becoming a 500.
const VAULT: Record<VaultError['code'], true> = { bad_vault_name: true, vault_not_found: true, item_not_found: true, empty_text: true, bad_metadata: true, bad_request: true, bad_import: true, model_mismatch: true };
const CHAT: Record<ChatError['code'], true> = { bad_request: true, context_overflow: true };
const MEMORY: Record<MemoryError['code'], true> = { invalid_input: true, memory_not_found: true };
const MODEL: Record<ModelErrorCode, true> = {
  missing_api_key: true, unknown_provider: true, bad_model_id: true, authentication: true, permission_denied: true, not_found: true, bad_request: true, context_overflow: true,
  request_timeout: true, conflict: true, rate_limited: true, server_error: true, network: true, first_token_timeout: true, stream_error: true, bad_response: true, cancelled: true,
};
// 'backend' is the store itself failing: a 500 on purpose (its message may name internals).
const VECTORS: Record<Exclude<VectorStoreError['code'], 'backend'>, true> = { dimension_mismatch: true, unknown_collection: true, bad_filter: true, bad_query: true, bad_record: true };

test('every code an error class can carry has a status, and the CLI exit code follows it', () => {
  for (const codes of [VAULT, CHAT, MEMORY, MODEL, VECTORS]) for (const code of Object.keys(codes)) expect([code, typeof ERROR_STATUS[code]]).toEqual([code, 'number']);
  expect(exitCodeFor('invalid_flow')).toBe(2);
  expect(exitCodeFor('vault_not_found')).toBe(1);
  expect(exitCodeFor('temporal_unreachable')).toBe(1);
  expect(exitCodeFor('no_such_code')).toBe(1);
  // What the API answered, mapped back: by code when the table has it, else by HTTP status.
  expect(exitCodeForApiError({ status: 404, code: 'vault_not_found' })).toBe(exitCodeFor('vault_not_found'));
  expect(exitCodeForApiError({ status: 404, code: 'flow_not_found' })).toBe(exitCodeFor('flow_not_found'));
  expect(exitCodeForApiError({ status: 400, code: 'empty_text' })).toBe(2);
  expect(exitCodeForApiError({ status: 403, code: 'forbidden' })).toBe(2);
  expect(exitCodeForApiError({ status: 503, code: 'flow_store_unavailable' })).toBe(1);
});

test('domain errors are ParErrors and map by class to their status, code and own message', () => {
  const cases: [ParError, number, string][] = [
    [new SessionArchiveError('session "s1" moved 4 older messages to the session archive, but ...'), 503, 'session_archive_unavailable'],
    [new VaultError('vault "docs" does not exist', 'vault_not_found'), 404, 'vault_not_found'],
    [new VaultError('vault "docs" was embedded with another model', 'model_mismatch'), 409, 'model_mismatch'],
    [new ChatError('the prompt does not fit', 'context_overflow'), 400, 'context_overflow'],
    [new MemoryInputError('query', 'must not be empty'), 400, 'invalid_input'],
    [new MemoryNotFoundError('memory entry', 'm1'), 404, 'memory_not_found'],
    [new ModelError('rate_limited', 'the provider said 429'), 502, 'rate_limited'],
    [new ModelError('missing_api_key', 'OPENAI_API_KEY is not set'), 400, 'missing_api_key'],
    [new VectorStoreError('bad filter field', 'bad_filter'), 400, 'bad_filter'],
    [new VectorStoreError('no collection c', 'unknown_collection'), 404, 'unknown_collection'],
    [new FlowValidationError('f', [{ node: 'a', field: 'text', message: 'is required' }]), 400, 'invalid_flow'],
    [new FlowFileError('cannot read flow file x.yaml'), 404, 'flow_not_found'],
    [new ApprovalRefusedError('run r1 is not waiting'), 409, 'approval_refused'],
    [new ActRequestError('limits.timeoutMs', 'must be at least 100'), 400, 'invalid_act_request'],
    [new SandboxUnavailableError('no namespaces'), 503, 'sandbox_unavailable'],
    [new TemporalUnreachableError('127.0.0.1:1', new Error('refused')), 503, 'temporal_unreachable'],
  ];
  for (const [err, status, code] of cases) {
    expect(err).toBeInstanceOf(ParError);
    const api = toApiError(err);
    expect([err.name, api.status, api.code, api.message]).toEqual([err.name, status, code, err.message]);
  }
});

test('errors that are not PAR\'s, and a vector store failing, are 500s that keep their message out', () => {
  for (const err of [new Error('secret path /srv/x'), new TypeError('x is undefined'), new VectorStoreError('backend said: secret', 'backend'), 'a string']) {
    const api = toApiError(err);
    expect([api.status, api.code]).toEqual([500, 'internal']);
    expect(api.message).not.toMatch(/secret|undefined/);
  }
});

test('after crossing Temporal (activity failure -> ApplicationFailure with the class name as type), the code survives', () => {
  const converter = new DefaultFailureConverter();
  // What the worker sends for a thrown error (ensureTemporalFailure, then the converter) and the
  // client decodes, wrapped in the ActivityFailure the server adds.
  const viaTemporal = (err: Error) => {
    const inner = converter.errorToFailure(ensureTemporalFailure(err), defaultPayloadConverter);
    const outer = converter.errorToFailure(new ActivityFailure('activity failed', 'vaultSearch', '1', 'NON_RETRYABLE_FAILURE' as never, 'worker', undefined), defaultPayloadConverter);
    return converter.failureToError({ ...outer, cause: inner }, defaultPayloadConverter);
  };
  const flow = viaTemporal(new FlowValidationError('f', [{ node: 'a', field: 'text', message: 'is required' }]));
  expect(flow).toBeInstanceOf(ActivityFailure);
  expect((flow as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
  expect(toApiError(flow)).toMatchObject({ status: 400, code: 'invalid_flow', message: expect.stringContaining('node "a" text: is required') });
  const model = viaTemporal(toApplicationFailure(new ModelError('authentication', 'the provider refused the key')));
  expect(toApiError(model)).toMatchObject({ status: 502, code: 'authentication', message: 'the provider refused the key' });
  expect(toApiError(viaTemporal(new SandboxUnavailableError('no namespaces')))).toMatchObject({ status: 503, code: 'sandbox_unavailable' });
  // A class with several codes: the worker's conversion carries the code in the failure's details.
  const vault = viaTemporal(toActivityFailure(new VaultError('vault kb has no item x', 'item_not_found')));
  expect(toApiError(vault)).toMatchObject({ status: 404, code: 'item_not_found', message: 'vault kb has no item x' });
  expect(toActivityFailure(new VaultError('bad', 'bad_request'))).toMatchObject({ type: 'VaultError', nonRetryable: true, details: [{ code: 'bad_request' }] });
  expect(toActivityFailure(new VectorStoreError('store down', 'backend'))).toMatchObject({ type: 'VectorStoreError', nonRetryable: false });
});
