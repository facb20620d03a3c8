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
