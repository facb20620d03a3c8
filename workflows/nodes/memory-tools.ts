import type { ModelMessage, ModelToolCall } from '../../activities/contracts';
import { MEMORY_VAULT_SEARCH, SEARCH_MEMORY, validateToolArgs } from '../../activities/memory/tool-specs';
import { localReads, memoryActivities } from '../flow/activities';
import { memoryConfig, tenantOf } from '../flow/runtime-memory';
import type { RunEngine } from '../flow/run-engine';
import { DEFAULT_APPROVAL_TIMEOUT_MS } from './approval';

/**
 * Runs one tool call the model made, each step its own activity so a crash resumes without
 * repeating a save. Returns the tool result message for the model.
 */
export async function runMemoryTool(engine: RunEngine, call: ModelToolCall, callIndex: number): Promise<ModelMessage> {
  const reply = (content: unknown): ModelMessage => ({ role: 'tool', toolCallId: call.id, content: typeof content === 'string' ? content : JSON.stringify(content) });
  const check = validateToolArgs(call.name, call.arguments);
  if (!check.ok) return reply({ error: check.error });
  const tenant = tenantOf(engine);
  const { call: c } = check;
  if (c.name === MEMORY_VAULT_SEARCH) {
    const r = await (localReads() ?? memoryActivities()).memoryVaultSearch({ tenant, query: c.args.query, limit: c.args.limit });
    return reply({ entries: r.entries.map((e) => ({ id: e.id, content: e.content, scope: e.scope, similarity: Number(e.similarity.toFixed(3)) })) });
  }
  if (c.name === SEARCH_MEMORY) {
    const r = await (localReads() ?? memoryActivities()).conversationMemorySearch({ tenant, query: c.args.query, limit: c.args.limit, excludeSessionId: engine.input.sessionId });
    return reply({ hits: r.hits.map((h) => ({ text: h.text, sessionId: h.sessionId, similarity: Number(h.similarity.toFixed(3)) })) });
  }
  // memory_vault_save: plan (no write), confirm per the flow's policy, then commit the plan.
  const confirmation = memoryConfig(engine).saveConfirmation ?? 'auto';
  if (confirmation === 'deny') return reply({ saved: false, reason: 'saving memories is disabled for this flow' });
  let plan;
  try {
    plan = await memoryActivities().memoryVaultPlanSave({ tenant, content: c.args.content, id: c.args.id });
  } catch (err) {
    return reply({ saved: false, error: err instanceof Error ? (err.cause as Error | undefined)?.message ?? err.message : String(err) });
  }
  if (confirmation === 'ask') {
    const outcome = await engine.awaitApproval(
      {
        node: `${engine.state.currentNode ?? 'memory'}:save-${callIndex}`,
        prompt: plan.action === 'add' ? `Save to memory: "${plan.content}"?` : `Update memory "${plan.previousContent}" to "${plan.content}"?`,
        approvers: [],
        memorySave: { action: plan.action, content: plan.content, ...(plan.previousContent !== undefined ? { previousContent: plan.previousContent } : {}) },
      },
      DEFAULT_APPROVAL_TIMEOUT_MS,
    );
    if (outcome.decision !== 'approve') return reply({ saved: false, reason: outcome.decision === 'reject' ? `the user declined${outcome.comment ? `: ${outcome.comment}` : ''}` : 'nobody confirmed the save in time' });
  }
  const entry = await memoryActivities().memoryVaultCommitSave(plan);
  return reply({ saved: true, action: plan.action, id: entry.id });
}

