import type { ContextItem, GenerateResult, ModelMessage } from '../../activities/contracts';
import { modelActivities } from '../flow/activities';
import { searchVaults } from './vault-search';
import type { ParamReader } from '../flow/params';
import type { RunEngine } from '../flow/run-engine';
import { memoryConfig } from '../flow/runtime-memory';
import { MEMORY_TOOLS } from '../../activities/memory/tool-specs';
import { runMemoryTool } from './memory-tools';
import type { VaultTouch } from './node-spec';
import { offeredTools, runOfferedTool, toolsShape } from './model-tools';
import type { FlowDefinition } from '../flow/types';

/** Params shared by the nodes that call a model with optional vault context. */
export function modelParamShape(p: ParamReader, flow?: FlowDefinition): VaultTouch[] {
  toolsShape(p, flow);
  p.str('model');
  const vault = p.str('vault');
  const context = p.bool('context');
  p.num('n', { min: 1, max: 50, integer: true });
  p.num('temperature', { min: 0, max: 2 });
  p.num('maxTokens', { min: 1, integer: true });
  p.bool('smartHistorySearch');
  return context === false ? [] : [{ vault, level: 'read', field: 'params.vault' }];
}

/** Vault context for the current message; on by default whenever the node or flow names a vault. */
export async function retrieveContext(engine: RunEngine, p: ParamReader): Promise<ContextItem[]> {
  const vault = engine.vault(p);
  if (!vault || p.bool('context') === false) return [];
  const result = await searchVaults({
    vault,
    query: engine.message,
    n: p.num('n') ?? 4,
    history: engine.history(),
    smartHistorySearch: p.bool('smartHistorySearch') ?? false,
    model: engine.model(p),
  });
  engine.detail({ vault, searchQuery: result.searchQuery, contextItems: result.items.length });
  return result.items.map((i) => ({ id: i.id, vault: i.vault, text: i.text, score: i.score }));
}

/** Model turns with tool calls before the node gives up and fails. */
const MAX_TOOL_ROUNDS = 6;

/**
 * One model answer over the shared conversation, with an optional system instruction. When the
 * flow offers memory tools, tool calls loop: each model turn and each tool call is its own
 * activity. Tool traffic stays local to the node; only the final text joins the conversation.
 */
export async function generateText(engine: RunEngine, p: ParamReader, instruction: string | undefined, stream: boolean): Promise<GenerateResult> {
  const context = await retrieveContext(engine, p);
  const system = [engine.systemPreamble(), instruction ? engine.render(instruction) : ''].filter(Boolean).join('\n\n');
  const messages: ModelMessage[] = [...(system ? [{ role: 'system' as const, content: system }] : []), ...engine.state.messages];
  let tools = memoryConfig(engine).tools ? [...MEMORY_TOOLS] : undefined;
  // Declared tools (MCP servers' and HTTP calls): only nodes that list some schedule anything new.
  const offered = p.has('tools') ? await offeredTools(engine, p) : new Map();
  if (offered.size) tools = [...(tools ?? []), ...[...offered.values()].map((t) => t.spec)];
  let toolCalls = 0;
  for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
    const result = await modelActivities().modelGenerate({
      model: engine.model(p),
      messages,
      temperature: engine.temperature(p),
      maxTokens: p.num('maxTokens'),
      context,
      tools,
      streamChannel: stream ? engine.input.streamChannel : undefined,
    });
    engine.detail({ model: result.model, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, latencyMs: result.latencyMs, ...(toolCalls ? { toolCalls } : {}) });
    if (!tools || result.toolCalls.length === 0) return result;
    messages.push({ role: 'assistant', content: result.text, toolCalls: result.toolCalls });
    for (const call of result.toolCalls) {
      const tool = offered.get(call.name);
      messages.push(tool ? await runOfferedTool(engine, tool, call, ++toolCalls) : await runMemoryTool(engine, call, ++toolCalls));
    }
  }
  throw new Error(`the model kept calling tools after ${MAX_TOOL_ROUNDS} rounds`);
}
