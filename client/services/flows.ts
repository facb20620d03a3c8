import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { decideApprovalUpdate, runStateQuery, sendMessageUpdate, sessionQuery, type SessionReply, type SessionSummary } from '../../workflows/definitions';
import { FLOW_ID, FLOW_STORE_VERSION, FLOW_VERSION, RUN_STATUS, SESSION_ID, runSearchAttributes } from '../../workflows/search-attributes';
import { flowWorkflow } from '../../workflows/flow-workflow';
import { sessionWorkflow } from '../../workflows/session-workflow';
import type { ApprovalDecision, FlowDefinition, FlowRunInput, FlowRunResult, JsonValue, ModelMessage, RunState, RunStatus } from '../../workflows/flow/types';
import { openSessionArchive, type SessionArchive } from '../../activities/memory/session-archive';
import { FlowRegistry } from './flow-registry';
import { FlowCatalog, type PreparedFlow } from './flow-catalog';
import type { FlowStore } from './flow-store';
import { ParError } from '../../workflows/errors';

/** A session's archived messages cannot be read here. */
export class SessionArchiveError extends ParError {
  override name = 'SessionArchiveError';
  readonly code = 'session_archive_unavailable';
}

let openedArchive: Promise<SessionArchive> | undefined;
/** The process's session archive, opened on the first read. */
function defaultSessionArchive(): SessionArchive {
  const archive = () =>
    (openedArchive ??= openSessionArchive().catch((err) => {
      openedArchive = undefined;
      throw err;
    }));
  return { history: async (tenant, sessionId) => (await archive()).history(tenant, sessionId) };
}

/** A decision the run refused (not waiting, already decided, not an approver...). */
export class ApprovalRefusedError extends ParError {
  override name = 'ApprovalRefusedError';
  readonly code = 'approval_refused';
}

/** The run input as users give it: message, history, session and tenant, and the variables. */
export interface RunRequest {
  message?: string;
  history?: ModelMessage[];
  variables?: Record<string, JsonValue>;
  sessionId?: string;
  tenant?: string;
  streamChannel?: string;
}

export interface RunSummary {
  runId: string;
  flowId?: string;
  /** The flow document's own version string. */
  version?: string;
  /** The flow store's version the run started with (the stored version the run is pinned to). */
  flowVersion?: number;
  status: string;
  sessionId?: string;
  workflowType: string;
  startTime: string;
  closeTime?: string;
}

const STATUS_FROM_TEMPORAL: Record<string, RunStatus> = { COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled', TERMINATED: 'failed', TIMED_OUT: 'failed' };
/** The final statuses, as Temporal's visibility names the ExecutionStatus they come from. */
const CLOSED_AS: Partial<Record<string, string[]>> = { completed: ['Completed'], failed: ['Failed', 'Terminated', 'TimedOut'], cancelled: ['Canceled'] };

/**
 * The visibility query for runs in a status. A closed run's status is Temporal's: runs since the
 * engine-fast-path-v2 patch do not write their final status to ParStatus (workflows/flow/status-board.ts),
 * which keeps the last status they waited with; an open run's is ParStatus.
 */
function statusClause(status: string): string {
  const closedAs = CLOSED_AS[status];
  if (closedAs) return `ExecutionStatus IN (${closedAs.map((s) => `'${s}'`).join(', ')})`;
  return `ExecutionStatus = 'Running' AND ParStatus = '${status.replace(/'/g, '')}'`;
}

/** A flow by id or file, as a definition, or already prepared. */
export type FlowRef = string | FlowDefinition | PreparedFlow;

function isPrepared(ref: FlowRef): ref is PreparedFlow {
  return typeof ref === 'object' && ref !== null && 'definition' in ref && 'library' in ref;
}

/** The id of a new run of a flow: the one place run ids are made. */
export function newRunId(flowId: string): string {
  return `${flowId}-${randomUUID()}`;
}

/** Splits CLI/API style input ({message, history, ...variables}) into a RunRequest. */
export function runRequestFromInput(input: Record<string, JsonValue>): RunRequest {
  const { message, history, sessionId, tenant, variables, ...rest } = input;
  if (message !== undefined && typeof message !== 'string') throw new TypeError('input.message must be a string');
  if (history !== undefined && !Array.isArray(history)) throw new TypeError('input.history must be a list of {role, content} messages');
  if (variables !== undefined && (typeof variables !== 'object' || variables === null || Array.isArray(variables))) throw new TypeError('input.variables must be an object');
  return {
    message: message as string | undefined,
    history: history as unknown as ModelMessage[] | undefined,
    sessionId: typeof sessionId === 'string' ? sessionId : undefined,
    tenant: typeof tenant === 'string' ? tenant : undefined,
    variables: { ...rest, ...((variables as Record<string, JsonValue>) ?? {}) },
  };
}

/** Everything the CLI and the API do with flows, over one Temporal client. */
export class FlowService {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    readonly registry = new FlowRegistry(),
    /** Where sessions' archived messages are read back; opened on first need. */
    private readonly sessionArchive: () => SessionArchive = defaultSessionArchive,
    /** Flows saved from the studio, the API or `par flow save`; they win over files of the same id. */
    readonly store?: FlowStore,
  ) {}

  /** Where flows are found by id: the store first, then the flow files. */
  get catalog(): FlowCatalog {
    return new FlowCatalog(this.registry, this.store);
  }

  /**
   * Loads (stored id, file id or file path; a stored version when given) and validates a flow with
   * everything it references, once: a prepared flow passed back to start() or sendSessionMessage()
   * is used as it is, and the workflow trusts it.
   */
  async prepare(ref: FlowRef, version?: number): Promise<PreparedFlow> {
    if (isPrepared(ref)) return ref;
    return this.catalog.prepare(ref, version);
  }

  async start(ref: FlowRef, req: RunRequest = {}, opts: { runId?: string; version?: number } = {}): Promise<{ runId: string; flowId: string; flowVersion?: number }> {
    const { definition, library, flowVersion } = await this.prepare(ref, opts.version);
    const runId = opts.runId ?? newRunId(definition.id);
    const input: FlowRunInput = { definition, library, prepared: true, ...req, ...(flowVersion !== undefined ? { flowVersion } : {}) };
    await this.client.workflow.start(flowWorkflow, {
      taskQueue: this.taskQueue,
      workflowId: runId,
      args: [input],
      typedSearchAttributes: runSearchAttributes({ flow: definition, status: 'running', sessionId: req.sessionId, storeVersion: flowVersion }),
    });
    return { runId, flowId: definition.id, ...(flowVersion !== undefined ? { flowVersion } : {}) };
  }

  async result(runId: string): Promise<FlowRunResult> {
    return this.client.workflow.getHandle(runId).result();
  }

  /** The run's live state (query), with Temporal's own status for runs that have closed. */
  async status(runId: string): Promise<RunState & { runId: string; temporalStatus: string }> {
    const handle = this.client.workflow.getHandle(runId);
    const desc = await handle.describe();
    const state = await handle.query(runStateQuery);
    const closed = STATUS_FROM_TEMPORAL[desc.status.name];
    return { ...state, status: closed && state.status !== 'cancelled' ? (state.status === 'completed' ? 'completed' : closed) : state.status, runId, temporalStatus: desc.status.name };
  }

  /**
   * Runs, newest first. `text` keeps runs whose id, flow, session or status contains it (case
   * insensitive); `accept` drops runs the caller may not see before they count towards the limit.
   */
  async list(filter: { flowId?: string; status?: string; sessionId?: string; flowVersion?: number; text?: string; limit?: number; accept?: (r: RunSummary) => boolean } = {}): Promise<RunSummary[]> {
    const clauses = [`WorkflowType IN ('flowWorkflow', 'sessionWorkflow')`];
    if (filter.flowId) clauses.push(`ParFlowId = '${filter.flowId.replace(/'/g, '')}'`);
    if (filter.status) clauses.push(statusClause(filter.status));
    if (filter.sessionId) clauses.push(`ParSessionId = '${filter.sessionId.replace(/'/g, '')}'`);
    if (filter.flowVersion !== undefined) clauses.push(`ParFlowStoreVersion = ${Math.trunc(filter.flowVersion)}`);
    const text = filter.text?.toLowerCase();
    const out: RunSummary[] = [];
    for await (const wf of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const run = summarize(wf);
      if (filter.accept && !filter.accept(run)) continue;
      if (text && ![run.runId, run.flowId, run.sessionId, run.status].some((f) => f?.toLowerCase().includes(text))) continue;
      out.push(run);
      if (out.length >= (filter.limit ?? 100)) break;
    }
    return out;
  }

  async decide(runId: string, decision: ApprovalDecision): Promise<{ node: string; decision: string }> {
    try {
      return await this.client.workflow.getHandle(runId).executeUpdate(decideApprovalUpdate, { args: [decision] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new ApprovalRefusedError(`run ${runId}: ${err.cause?.message ?? err.message}`);
      if (err instanceof WorkflowNotFoundError) {
        const desc = await this.client.workflow.getHandle(runId).describe().catch(() => undefined);
        if (desc) throw new ApprovalRefusedError(`run ${runId} has finished (${desc.status.name.toLowerCase()}); it is not waiting for an approval`);
      }
      throw err;
    }
  }

  async cancel(runId: string): Promise<void> {
    await this.client.workflow.getHandle(runId).cancel();
  }

  /** Replayable JSON of the run's history. */
  async history(runId: string): Promise<string> {
    return historyToJSON(await this.client.workflow.getHandle(runId).fetchHistory());
  }

  /** Sends a message to a session (starting it on first use) and waits for the flow's reply. */
  async sendSessionMessage(sessionId: string, ref: FlowRef, message: string, opts: { tenant?: string; variables?: Record<string, JsonValue>; streamChannel?: string } = {}): Promise<SessionReply> {
    const { definition, library } = await this.prepare(ref);
    const startOp = new WithStartWorkflowOperation(sessionWorkflow, {
      workflowId: sessionWorkflowId(sessionId),
      taskQueue: this.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ definition, library, sessionId, tenant: opts.tenant }],
      typedSearchAttributes: runSearchAttributes({ flow: definition, status: 'running', sessionId }),
    });
    return this.client.workflow.executeUpdateWithStart(sendMessageUpdate, { args: [{ message, variables: opts.variables, streamChannel: opts.streamChannel }], startWorkflowOperation: startOp });
  }

  /**
   * The session's state and whole transcript: the messages the workflow carries, preceded by the
   * ones it moved to the session archive when it continued as new. `archived` says how many of
   * the returned messages came from the archive.
   */
  async readSession(sessionId: string): Promise<SessionSummary> {
    const s = await this.client.workflow.getHandle(sessionWorkflowId(sessionId)).query(sessionQuery);
    const archived = s.archived ?? 0;
    if (archived === 0) return { ...s, archived };
    const older = (await this.sessionArchive().history(s.tenant, sessionId)).slice(0, archived);
    if (older.length < archived) {
      throw new SessionArchiveError(`session "${sessionId}" moved ${archived} older messages to the session archive, but the archive in this data folder has ${older.length}; read it where the worker's data folder is (PAR_DATA_DIR)`);
    }
    return { ...s, messages: [...older, ...s.messages] };
  }
}

export function sessionWorkflowId(sessionId: string): string {
  return `session-${sessionId}`;
}

function summarize(wf: WorkflowExecutionInfo): RunSummary {
  const sa = wf.typedSearchAttributes;
  const closed = STATUS_FROM_TEMPORAL[wf.status.name];
  const parStatus = sa.get(RUN_STATUS);
  return {
    runId: wf.workflowId,
    flowId: sa.get(FLOW_ID),
    version: sa.get(FLOW_VERSION),
    ...(sa.get(FLOW_STORE_VERSION) !== undefined ? { flowVersion: Number(sa.get(FLOW_STORE_VERSION)) } : {}),
    status: parStatus && (parStatus === 'completed' || parStatus === 'cancelled' || !closed) ? parStatus : (closed ?? parStatus ?? wf.status.name.toLowerCase()),
    sessionId: sa.get(SESSION_ID),
    workflowType: wf.type,
    startTime: wf.startTime.toISOString(),
    closeTime: wf.closeTime?.toISOString(),
  };
}
