import type { ContextItem, GenerateResult, ModelMessage } from '../../activities/contracts';
import { modelActivities, vaultActivities } from '../flow/activities';
import type { ParamReader } from '../flow/params';
import type { RunEngine } from '../flow/run-engine';

/** Params shared by the nodes that call a model with optional vault context. */
export function modelParamShape(p: ParamReader): void {
  p.str('model');
  p.str('vault');
  p.bool('context');
  p.num('n', { min: 1, max: 50, integer: true });
  p.num('temperature', { min: 0, max: 2 });
  p.num('maxTokens', { min: 1, integer: true });
  p.bool('smartHistorySearch');
}

/** Vault context for the current message; on by default whenever the node or flow names a vault. */
export async function retrieveContext(engine: RunEngine, p: ParamReader): Promise<ContextItem[]> {
  const vault = engine.vault(p);
  if (!vault || p.bool('context') === false) return [];
  const result = await vaultActivities().vaultSearch({
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

/** One model turn over the shared conversation, with an optional system instruction. */
export async function generateText(engine: RunEngine, p: ParamReader, instruction: string | undefined, stream: boolean): Promise<GenerateResult> {
  const context = await retrieveContext(engine, p);
  const system = [engine.systemPreamble(), instruction ? engine.render(instruction) : ''].filter(Boolean).join('\n\n');
  const messages: ModelMessage[] = [...(system ? [{ role: 'system' as const, content: system }] : []), ...engine.state.messages];
  const result = await modelActivities().modelGenerate({
    model: engine.model(p),
    messages,
    temperature: engine.temperature(p),
    maxTokens: p.num('maxTokens'),
    context,
    streamChannel: stream ? engine.input.streamChannel : undefined,
  });
  engine.detail({ model: result.model, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, latencyMs: result.latencyMs });
  return result;
}
