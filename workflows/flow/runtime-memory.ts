import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { memoryLearnWorkflow } from '../memory-learn-workflow';
import type { MemoryLearnAfterRunRequest } from '../../activities/memory/contracts';
import { localReads, memoryActivities } from './activities';
import type { RunEngine } from './run-engine';
import type { FlowMemoryConfig, JsonValue } from './types';

/** Messages of the transcript handed to post-run learning. */
const LEARN_TRANSCRIPT_MESSAGES = 40;

export function memoryConfig(engine: RunEngine): FlowMemoryConfig & { taskSignature?: string; model?: string } {
  return { mode: 'none', ...engine.definition.memory, ...engine.input.memory } as FlowMemoryConfig;
}

export function tenantOf(engine: RunEngine): string {
  return engine.input.tenant ?? 'local';
}

/**
 * Runtime-owned memory, before the run: facts (by namespace and by similarity) and ReasoningBank
 * advice for the task go into the system prompt of every model call of the run.
 */
export function loadRuntimeMemory(engine: RunEngine): Promise<void> | undefined {
  const cfg = memoryConfig(engine);
  // Nothing to wait for: no promise (each costs a stack capture in the sandbox; eventually.ts).
  return cfg.mode === 'none' ? undefined : loadContext(engine, cfg);
}

async function loadContext(engine: RunEngine, cfg: ReturnType<typeof memoryConfig>): Promise<void> {
  const r = await (localReads() ?? memoryActivities()).memoryLoadContext({
    tenant: tenantOf(engine),
    mode: cfg.mode,
    taskSignature: cfg.taskSignature ?? engine.message,
    namespace: cfg.namespace,
    message: engine.message,
    topK: cfg.topK,
  });
  engine.memoryPreamble = r.systemPrompt;
  engine.state.memory = { adviceIds: r.adviceIds, factKeys: r.factKeys };
}

/**
 * After the run, without delaying it: learning runs as its own abandoned child workflow, so the
 * run's result (and a session's reply) is delivered first. The flow may set `outcome`
 * ("success" / "failure") and `new_facts` ([{namespace, key, value}]) to steer it.
 */
export function learnAfterRun(engine: RunEngine): Promise<string> | undefined {
  const cfg = memoryConfig(engine);
  return cfg.mode === 'none' ? undefined : startLearning(engine, cfg);
}

async function startLearning(engine: RunEngine, cfg: ReturnType<typeof memoryConfig>): Promise<string> {
  const vars = engine.state.variables;
  const outcome = vars.outcome === 'success' || vars.outcome === 'failure' ? vars.outcome : undefined;
  const newFacts = Array.isArray(vars.new_facts) ? (vars.new_facts as JsonValue[]).filter(isFact) : undefined;
  const req: MemoryLearnAfterRunRequest = {
    tenant: tenantOf(engine),
    mode: cfg.mode,
    runId: engine.runId,
    taskSignature: cfg.taskSignature ?? (engine.state.messages[engine.turnStart]?.content ?? engine.message),
    outcome,
    transcript: engine.state.messages.slice(-LEARN_TRANSCRIPT_MESSAGES),
    usedAdviceIds: engine.state.memory?.adviceIds ?? [],
    newFacts,
    model: cfg.model,
  };
  engine.showStatus();
  const child = await startChild(memoryLearnWorkflow, {
    workflowId: `${engine.runId}/learn${engine.turnStart ? `-${engine.turnStart}` : ''}`,
    args: [req],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  return child.workflowId;
}

function isFact(v: JsonValue): v is { namespace: string; key: string; value: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.namespace === 'string' && typeof v.key === 'string' && 'value' in v;
}

/**
 * Makes a session's new messages searchable by the conversation memory engine (search_memory).
 * Positions are passed so a retried call indexes nothing twice.
 */
export async function indexSessionTurn(engine: RunEngine, sessionId: string, fromIndex: number, archived = 0): Promise<void> {
  const cfg = memoryConfig(engine);
  if (cfg.mode === 'none' && !cfg.tools) return;
  // Positions count the session's archived messages too, so they stay unique across continue-as-new.
  const messages = engine.state.messages.slice(fromIndex).map((m, i) => ({ role: m.role, content: m.content, index: archived + fromIndex + i }));
  if (messages.length) await memoryActivities().conversationMemoryIndex({ tenant: tenantOf(engine), sessionId, messages });
}
