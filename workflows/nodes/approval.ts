import { next, type NodeSpec } from './node-spec';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

/**
 * Waits, with zero compute, for a person to approve or reject (signal or update), or for the
 * timeout. Outputs: approved, rejected, timeout.
 */
export const approvalNode: NodeSpec = {
  type: 'approval',
  shape(p) {
    p.strArray('approvers');
    p.duration('timeout', { min: 1000 });
    const variable = p.str('variable');
    return { outputs: ['approved', 'rejected', 'timeout'], blocking: true, writes: variable ? [variable] : [], templates: { 'params.prompt': p.str('prompt', { required: true }) } };
  },
  async run(node, p, engine) {
    const timeoutMs = p.duration('timeout') ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    const outcome = await engine.awaitApproval({ node: node.id, prompt: engine.render(p.str('prompt')!), approvers: p.strArray('approvers') ?? [] }, timeoutMs);
    const variable = p.str('variable');
    if (variable) engine.setVariable(variable, { decision: outcome.decision, by: outcome.by ?? null, comment: outcome.comment ?? null });
    engine.detail({ decision: outcome.decision, ...(outcome.by ? { by: outcome.by } : {}) });
    return next(outcome.decision === 'approve' ? 'approved' : outcome.decision === 'reject' ? 'rejected' : 'timeout');
  },
};
