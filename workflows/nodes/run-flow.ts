import { mergeBranchWrites, writtenVariables } from '../flow/merge';
import type { JsonValue } from '../flow/types';
import { startChildFlow } from './child-flows';
import { next, type NodeSpec } from './node-spec';

/**
 * Runs another flow as a child workflow with a copy of the parent's variables. With wait (the
 * default) the child's variable writes and replies come back into this run; without, it is
 * fire-and-forget and outlives this run.
 */
export const runFlowNode: NodeSpec = {
  type: 'run_flow',
  title: 'Run flow',
  category: 'flow',
  description: "Runs another flow as a child workflow with a copy of the parent's variables; with wait, its writes and replies come back.",
  params: [
    { name: 'flow', kind: 'flow', required: true, description: 'id of the flow to run', example: 'child' },
    { name: 'wait', kind: 'boolean', default: true, description: 'wait for the child (false: fire and forget)', example: false },
    { name: 'variables', kind: 'variables', description: 'extra variables for the child (strings are templates)', example: { topic: '{message}' } },
    { name: 'resultVariable', kind: 'variable', description: 'variable the child result {response, written} is written to', example: 'child_result' },
  ],
  outputs: { names: ['next'] },
  shape(p) {
    const flow = p.str('flow', { required: true });
    p.bool('wait');
    p.object('variables');
    const resultVariable = p.str('resultVariable');
    return { outputs: ['next'], flowRefs: flow ? [flow] : [], writes: resultVariable ? [resultVariable] : [] };
  },
  async run(node, p, engine) {
    const flowId = p.str('flow')!;
    const wait = p.bool('wait') ?? true;
    const given: Record<string, JsonValue> = { ...engine.vars, ...(engine.renderValue(p.object('variables') ?? {}) as Record<string, JsonValue>) };
    const child = await startChildFlow(engine, flowId, engine.childId(node), given, { abandon: !wait });
    engine.detail({ child: child.workflowId, wait });
    if (!wait) return next();
    const result = await child.result();
    const written = writtenVariables(given, result.variables);
    mergeBranchWrites(engine.vars, [{ branch: flowId, written }]);
    for (const r of result.responses) engine.respond(r);
    const resultVariable = p.str('resultVariable');
    if (resultVariable) engine.setVariable(resultVariable, { response: result.response ?? null, written });
    return next();
  },
};
