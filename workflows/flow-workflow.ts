import { ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { installRunHandlers } from './flow/run-handlers';
import { initialState } from './flow/initial-state';
import { RunEngine } from './flow/run-engine';
import { runTurn } from './flow/run-turn';
import { formatIssue } from './flow/validation-issue';
import { validateFlow } from './nodes/validate-flow';
import { NODE_SPECS } from './nodes/registry';
import type { FlowWorkflow } from './flow/types';
import { enginePatch } from './flow/fast-path';
import { StatusBoard } from './flow/status-board';
import { FLOW_ID, runSearchAttributes } from './search-attributes';

/**
 * The one generic interpreter: runs any flow definition. All run state lives here, and so in the
 * workflow's history, which is what makes a run survive any worker.
 */
export const flowWorkflow: FlowWorkflow = async function flowWorkflow(input) {
  const def = input.definition;
  // Starts that did not go through FlowService.prepare (a bare client, old runs) are checked here.
  const issues = input.prepared ? [] : validateFlow(def, (id) => input.library?.[id]);
  if (issues.length) throw ApplicationFailure.nonRetryable(`flow "${def?.id}" is invalid:\n${issues.map(formatIssue).join('\n')}`, 'InvalidFlow', issues);

  const patch = enginePatch();
  const engine = new RunEngine(def, input, initialState(def, input, workflowInfo().workflowId), NODE_SPECS, new StatusBoard(patch === 2));
  engine.turnStart = input.history?.length ?? 0;
  installRunHandlers(() => engine);
  // Starts through FlowService and child starts carry these already; runs before the fast path
  // (and starts that set none) upsert them here.
  if (patch === 0 || workflowInfo().typedSearchAttributes.get(FLOW_ID) === undefined) {
    upsertSearchAttributes(runSearchAttributes({ flow: def, status: 'running', sessionId: input.sessionId }));
  }

  await runTurn(engine);
  const { responses, variables, trail } = engine.state;
  return { status: 'completed', response: responses[responses.length - 1], responses, variables, trail };
};
