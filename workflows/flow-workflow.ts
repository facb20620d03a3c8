import { ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { installRunHandlers } from './flow/run-handlers';
import { initialState } from './flow/initial-state';
import { RunEngine } from './flow/run-engine';
import { runTurn } from './flow/run-turn';
import { formatIssue, validateFlow } from './flow/validate';
import type { FlowRunInput, FlowRunResult } from './flow/types';
import { FLOW_ID, FLOW_VERSION, RUN_STATUS, SESSION_ID } from './search-attributes';

/**
 * The one generic interpreter: runs any flow definition. All run state lives here, and so in the
 * workflow's history, which is what makes a run survive any worker.
 */
export async function flowWorkflow(input: FlowRunInput): Promise<FlowRunResult> {
  const def = input.definition;
  const issues = validateFlow(def, (id) => input.library?.[id]);
  if (issues.length) throw ApplicationFailure.nonRetryable(`flow "${def?.id}" is invalid:\n${issues.map(formatIssue).join('\n')}`, 'InvalidFlow', issues);

  const engine = new RunEngine(def, input, initialState(def, input, workflowInfo().workflowId));
  engine.turnStart = input.history?.length ?? 0;
  installRunHandlers(() => engine);
  upsertSearchAttributes([
    { key: FLOW_ID, value: def.id },
    { key: FLOW_VERSION, value: def.version },
    { key: RUN_STATUS, value: 'running' },
    ...(input.sessionId ? [{ key: SESSION_ID, value: input.sessionId }] : []),
  ] as never);

  await runTurn(engine);
  const { responses, variables, trail } = engine.state;
  return { status: 'completed', response: responses[responses.length - 1], responses, variables, trail };
}
