import type { SessionReply, SessionSummary } from '../../../workflows/definitions';
import type { JsonValue, RunState } from '../../../workflows/flow/types';
import { FlowValidationError } from '../../../workflows/flow/validation-issue';
import { loadConfig } from '../../../workers/config';
import type { ParClient } from '../../sdk';
import { FlowFileError, FlowRegistry } from '../../services/flow-registry';
import { ApprovalRefusedError, FlowService, runRequestFromInput } from '../../services/flows';
import { connectClient } from '../../temporal';
import { openFlowStore } from '../../services/flow-store';
import { ERROR_STATUS, exitCodeFor, knownFailure } from '../../error-codes';
import { CliError } from '../output';
import { remoteClient, viaApi } from '../remote';

export type RunStatus = RunState & { runId: string };

/** A finished, completed run as `par flow run --wait` prints it. */
export interface FinishedRun {
  runId: string;
  responses: string[];
  trail: unknown[];
  webUi?: string;
}

export interface DecisionMade {
  runId: string;
  decision: string;
  node?: string;
  by: string;
}

/**
 * What `par flow` and `par session` ask of the flow engine, the same in both modes: Temporal
 * directly (the local services), or the HTTP API when PAR_API_KEY is set. Each keeps the output
 * and errors its mode always had.
 */
export interface FlowBackend {
  /** How a started run is described: locally with its Web UI link, remotely "through the API". */
  readonly startedVia: string;
  /** `version`: a stored version of the flow (default: the latest stored, else the file). */
  start(ref: string, input: Record<string, JsonValue>, opts: { id?: string; session?: string; version?: number }): Promise<{ runId: string; flowId: string; flowVersion?: number; webUi?: string }>;
  /**
   * Waits for a run; one that did not complete is a CliError with the code of the PAR error that
   * failed it (and that code's exit code, as a direct call would give), else run_failed.
   */
  finish(runId: string, flowId: string): Promise<FinishedRun>;
  status(runId: string): Promise<RunStatus>;
  list(filter: { flow?: string; status?: string; session?: string; limit: number }): Promise<{ status: string; flowId?: string; runId: string; startTime?: string }[]>;
  /** Locally `by` names the decider and is required; remotely the API key decides. */
  decide(runId: string, decision: 'approve' | 'reject', opts: { by?: string; node?: string; comment?: string }): Promise<DecisionMade>;
  cancel(runId: string): Promise<void>;
  /** The run's event history as replayable JSON text. */
  history(runId: string): Promise<string>;
  sendSessionMessage(sessionId: string, flow: string, message: string, opts: { tenant?: string }): Promise<Omit<SessionReply, 'status'> & { status: string }>;
  readSession(sessionId: string): Promise<SessionSummary>;
}

/** The backend this invocation uses: the API with PAR_API_KEY set, else Temporal directly. */
export function flowBackend(env: NodeJS.ProcessEnv = process.env): FlowBackend {
  const remote = remoteClient(env);
  return remote ? apiFlows(remote) : localFlows();
}

/** Connects to Temporal, runs fn with the flow service, closes; service errors become CLI errors. */
export async function withFlowService<T>(fn: (svc: FlowService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config);
  const store = openFlowStore(config.dataDir);
  try {
    return await fn(new FlowService(client, config.taskQueue, undefined, undefined, store));
  } catch (err) {
    if (err instanceof FlowValidationError) throw new CliError(err.message, 2, 'invalid_flow');
    if (err instanceof FlowFileError) throw new CliError(err.message, 2, 'flow_not_found');
    if (err instanceof ApprovalRefusedError) throw new CliError(err.message, 1, 'approval_refused');
    if (err instanceof TypeError && err.message.startsWith('input.')) throw new CliError(err.message, 2, 'bad_input');
    if (err instanceof Error && err.name === 'WorkflowNotFoundError') throw new CliError(`no such run: ${err.message}`, 1, 'run_not_found');
    throw err;
  } finally {
    await client.connection.close();
    await store.close();
  }
}

export function uiLink(runId: string): string | undefined {
  const c = loadConfig();
  return c.uiUrl ? `${c.uiUrl}/namespaces/${c.temporalNamespace}/workflows/${encodeURIComponent(runId)}` : undefined;
}

function localFlows(): FlowBackend {
  return {
    startedVia: '',
    start: (ref, input, opts) =>
      withFlowService(async (svc) => {
        const req = runRequestFromInput(input);
        if (opts.session) req.sessionId = opts.session;
        const { runId, flowId, flowVersion } = await svc.start(ref, req, { runId: opts.id, version: opts.version });
        return { runId, flowId, ...(flowVersion !== undefined ? { flowVersion } : {}), webUi: uiLink(runId) };
      }),
    finish: (runId, flowId) =>
      withFlowService(async (svc) => {
        try {
          return { runId, flowId, ...(await svc.result(runId)), webUi: uiLink(runId) };
        } catch (err) {
          const cause = (err as { cause?: Error }).cause;
          throw runFailed(`run ${runId} failed: ${cause?.message ?? (err as Error).message}`, knownFailure(err)?.code);
        }
      }),
    status: (runId) => withFlowService((svc) => svc.status(runId)),
    list: (filter) => withFlowService((svc) => svc.list({ flowId: filter.flow, status: filter.status, sessionId: filter.session, limit: filter.limit })),
    decide: async (runId, decision, { by, node, comment }) => {
      if (!by) throw new CliError('--by is required: name who decides (or set PAR_API_KEY to decide as that key through the API)', 2, 'bad_input');
      return withFlowService(async (svc) => ({ runId, ...(await svc.decide(runId, { decision, by, node, comment })), by }));
    },
    cancel: (runId) => withFlowService((svc) => svc.cancel(runId)),
    history: (runId) => withFlowService((svc) => svc.history(runId)),
    sendSessionMessage: (sessionId, flow, message, opts) => withFlowService((svc) => svc.sendSessionMessage(sessionId, flow, message, opts)),
    readSession: (sessionId) => withFlowService((svc) => svc.readSession(sessionId)),
  };
}

const FINAL = ['completed', 'failed', 'cancelled'];

/** A run that did not complete, as the CLI reports it: by the code behind it when PAR knows it. */
function runFailed(message: string, carried: string | undefined): CliError {
  const code = carried && carried in ERROR_STATUS ? carried : 'run_failed';
  return new CliError(message, exitCodeFor(code), code);
}

function apiFlows(api: ParClient): FlowBackend {
  return {
    startedVia: ' through the API',
    start: async (ref, input, opts) => {
      let req;
      try {
        req = runRequestFromInput(input);
      } catch (err) {
        throw new CliError((err as Error).message, 2, 'bad_input');
      }
      const isFile = /\.(json|ya?ml)$/.test(ref) || ref.includes('/');
      const definition = isFile ? new FlowRegistry().load(ref) : undefined;
      const started = await viaApi(() =>
        api.startRun(definition?.id ?? ref, {
          ...req,
          ...(definition ? { definition: definition as unknown as Record<string, unknown> } : {}),
          ...(opts.session ? { sessionId: opts.session } : {}),
          ...(opts.id ? { runId: opts.id } : {}),
          ...(opts.version !== undefined ? { version: opts.version } : {}),
        }),
      );
      return { runId: started.runId, flowId: started.flowId, ...(started.flowVersion !== undefined ? { flowVersion: started.flowVersion } : {}) };
    },
    finish: async (runId) => {
      let state: RunStatus;
      for (;;) {
        state = await viaApi(() => api.getRun<RunStatus>(runId));
        if (FINAL.includes(state.status)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (state.status !== 'completed') throw runFailed(`run ${runId} ${state.status}${state.error ? `: ${state.error.message}` : ''}`, state.error?.code);
      return state;
    },
    status: (runId) => viaApi(() => api.getRun<RunStatus>(runId)),
    list: async (filter) => (await viaApi(() => api.listRuns({ flow: filter.flow, status: filter.status }))).runs,
    decide: async (runId, decision, { node, comment }) => ({ ...(await viaApi(() => api[decision](runId, { node, comment }))), runId }),
    cancel: async (runId) => {
      await viaApi(() => api.cancel(runId));
    },
    history: async (runId) => JSON.stringify(await viaApi(() => api.history(runId))),
    sendSessionMessage: (sessionId, flow, message, opts) => viaApi(() => api.sendSessionMessage(sessionId, message, { flow, tenant: opts.tenant })),
    readSession: (sessionId) => viaApi(() => api.readSession(sessionId) as Promise<unknown> as Promise<SessionSummary>),
  };
}
