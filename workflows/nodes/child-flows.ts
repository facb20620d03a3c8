import { ParentClosePolicy, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import { FLOW_ID, FLOW_VERSION, RUN_STATUS, SESSION_ID } from '../search-attributes';
import type { RunEngine } from '../flow/run-engine';
import type { FlowRunInput, FlowRunResult, JsonValue } from '../flow/types';

/** Starts a flow from the run's library as a child workflow, with a copy of the parent's variables and defaults. */
export async function startChildFlow(
  engine: RunEngine,
  flowId: string,
  workflowId: string,
  variables: Record<string, JsonValue>,
  opts: { abandon?: boolean } = {},
): Promise<ChildWorkflowHandle<(input: FlowRunInput) => Promise<FlowRunResult>>> {
  const own = engine.library[flowId];
  if (!own) throw new Error(`flow "${flowId}" is not in this run's library (it is resolved when the run starts)`);
  // A child inherits the parent's default model and vault unless it sets its own.
  const definition = { ...own, defaults: { ...engine.definition.defaults, ...own.defaults } };
  const input: FlowRunInput = {
    definition,
    library: engine.library,
    message: engine.message,
    history: engine.history(),
    variables,
    sessionId: engine.input.sessionId,
    tenant: engine.input.tenant,
  };
  return startChild<(input: FlowRunInput) => Promise<FlowRunResult>>('flowWorkflow', {
    workflowId,
    args: [input],
    parentClosePolicy: opts.abandon ? ParentClosePolicy.ABANDON : ParentClosePolicy.TERMINATE,
    typedSearchAttributes: [
      { key: FLOW_ID, value: definition.id },
      { key: FLOW_VERSION, value: definition.version },
      { key: RUN_STATUS, value: 'running' },
      ...(engine.input.sessionId ? [{ key: SESSION_ID, value: engine.input.sessionId }] : []),
    ] as never,
  });
}
