import { ParentClosePolicy, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import { runSearchAttributes } from '../search-attributes';
import type { RunEngine } from '../flow/run-engine';
import type { FlowRunInput, FlowWorkflow, JsonValue } from '../flow/types';

/** Starts a flow from the run's library as a child workflow, with a copy of the parent's variables and defaults. */
export async function startChildFlow(
  engine: RunEngine,
  flowId: string,
  workflowId: string,
  variables: Record<string, JsonValue>,
  opts: { abandon?: boolean } = {},
): Promise<ChildWorkflowHandle<FlowWorkflow>> {
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
    // A prepared parent's library was validated with it; otherwise the child checks itself.
    prepared: engine.input.prepared,
  };
  return startChild<FlowWorkflow>('flowWorkflow', {
    workflowId,
    args: [input],
    parentClosePolicy: opts.abandon ? ParentClosePolicy.ABANDON : ParentClosePolicy.TERMINATE,
    typedSearchAttributes: runSearchAttributes({ flow: definition, status: 'running', sessionId: engine.input.sessionId }),
  });
}
