import type { JsonValue } from '../flow/types';
import { actActivities, DEFAULT_ACT_TIMEOUT_MS } from '../flow/activities';
import { next, type NodeSpec } from './node-spec';
import { MAX_ACT_LIMITS, MIN_ACT_LIMITS } from '../../activities/act/limits';
import { MODEL_PARAM, VAULT_PARAM } from './param-specs';

/**
 * Runs the node's Python in the sandbox (activities/act): variables in as globals, `save[...]`
 * out. A script error follows the node's error output (or fails the run); variables the script
 * saved before it failed are kept.
 */
export const actNode: NodeSpec = {
  type: 'act',
  title: 'Act (Python)',
  category: 'code',
  description: "Runs Python in the sandbox: variables in as globals, save[...] out; vault.search and vault.chat reach the node's vault.",
  params: [
    { name: 'code', kind: 'code', required: true, description: 'Python source', example: "save['total'] = 1 + 1" },
    { name: 'saves', kind: 'list', description: 'variables the script saves (so later templates may use them)', example: ['total'] },
    { name: 'timeout', kind: 'duration', default: '30 seconds', description: 'time limit', example: '10 seconds' },
    { name: 'memoryMb', kind: 'integer', min: MIN_ACT_LIMITS.memoryMb, max: MAX_ACT_LIMITS.memoryMb, description: 'memory limit in MB', example: MIN_ACT_LIMITS.memoryMb },
    { name: 'outputBytes', kind: 'integer', min: MIN_ACT_LIMITS.outputBytes, max: MAX_ACT_LIMITS.outputBytes, description: 'stdout limit in bytes', example: MIN_ACT_LIMITS.outputBytes },
    { name: 'allowedHosts', kind: 'list', description: 'hosts the script may fetch from', example: ['example.com'] },
    { ...VAULT_PARAM, description: 'vault the script may search (vault.search); the flow default vault when absent' },
    { ...MODEL_PARAM, description: 'model for vault.chat; the flow default model when absent' },
  ],
  outputs: { names: ['next'] },
  shape(p) {
    p.str('code', { required: true });
    const timeout = p.duration('timeout', { min: MIN_ACT_LIMITS.timeoutMs });
    if (timeout !== undefined && timeout > MAX_ACT_LIMITS.timeoutMs) p.report('params.timeout', `must be at most ${MAX_ACT_LIMITS.timeoutMs / 60_000} minutes`);
    p.num('memoryMb', { min: MIN_ACT_LIMITS.memoryMb, max: MAX_ACT_LIMITS.memoryMb, integer: true });
    p.num('outputBytes', { min: MIN_ACT_LIMITS.outputBytes, max: MAX_ACT_LIMITS.outputBytes, integer: true });
    p.strArray('allowedHosts');
    p.str('model');
    return { outputs: ['next'], vaults: [{ vault: p.str('vault'), level: 'read', field: 'params.vault' }], writes: p.strArray('saves') ?? [] };
  },
  async run(_node, p, engine) {
    const timeoutMs = p.duration('timeout') ?? DEFAULT_ACT_TIMEOUT_MS;
    const result = await actActivities(timeoutMs).actRun({
      code: p.str('code')!,
      variables: engine.vars,
      message: engine.message,
      history: engine.history(),
      limits: { timeoutMs, memoryMb: p.num('memoryMb'), outputBytes: p.num('outputBytes') },
      allowedHosts: p.strArray('allowedHosts'),
      vault: engine.vault(p),
      model: engine.model(p),
      runId: engine.runId,
    });
    for (const [k, v] of Object.entries(result.saved)) engine.setVariable(k, v as JsonValue);
    engine.detail({ saved: Object.keys(result.saved), durationMs: result.durationMs, ...(result.output ? { output: result.output.slice(-500) } : {}) });
    if (!result.ok) {
      const e = result.error;
      throw new Error(`python ${e?.limit ? `exceeded its ${e.limit} limit` : `raised ${e?.type ?? 'an error'}`}: ${e?.message ?? ''}`);
    }
    return next();
  },
};
