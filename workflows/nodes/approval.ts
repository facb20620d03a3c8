import { awaiting } from '../flow/eventually';
import { next, type NodeSpec } from './node-spec';
import { variableParam } from './param-specs';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

/**
 * Waits, with zero compute, for a person to approve or reject (signal or update), or for the
 * timeout. Outputs: approved, rejected, timeout.
 */
export const approvalNode: NodeSpec = {
  type: 'approval',
  title: 'Approval',
  category: 'people',
  description: 'Waits, with zero compute, for a person to approve or reject, or for the timeout.',
  params: [
    { name: 'prompt', kind: 'template', required: true, description: 'what the approver is asked', example: 'Refund {amount}?' },
    { name: 'approvers', kind: 'list', description: 'who may decide (API key names); anyone with the flow grant when empty', example: ['alice'] },
    { name: 'timeout', kind: 'duration', default: '7 days', description: 'how long to wait before the timeout output', example: '2 days' },
    variableParam('variable the decision {decision, by, comment} is written to'),
  ],
  outputs: { names: ['approved', 'rejected', 'timeout'] },
  shape(p) {
    p.strArray('approvers');
    p.duration('timeout', { min: 1000 });
    const variable = p.str('variable');
    return { outputs: ['approved', 'rejected', 'timeout'], blocking: true, writes: variable ? [variable] : [], templates: { 'params.prompt': p.str('prompt', { required: true }) } };
  },
  run(node, p, engine) {
    const timeoutMs = p.duration('timeout') ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    // awaiting(): the interpreter waits for the decision itself, with no promise of the node's own.
    return awaiting(engine.awaitApproval({ node: node.id, prompt: engine.render(p.str('prompt')!), approvers: p.strArray('approvers') ?? [] }, timeoutMs), (outcome) => {
      const variable = p.str('variable');
      if (variable) engine.setVariable(variable, { decision: outcome.decision, by: outcome.by ?? null, comment: outcome.comment ?? null });
      engine.detail({ decision: outcome.decision, ...(outcome.by ? { by: outcome.by } : {}) });
      return next(outcome.decision === 'approve' ? 'approved' : outcome.decision === 'reject' ? 'rejected' : 'timeout');
    });
  },
};
