import type Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageParam, RawMessageStreamEvent, Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelMessage, ModelToolCall } from '../contracts';
import { CallGuard } from './call-guard';
import type { ChatModel, ModelCall, ModelCallOutput } from './port';
import { renderContext } from './render-context';
import { parseToolArguments, translateSdkError } from './sdk-errors';

/**
 * The SDK, loaded with the first Anthropic model: a process that never calls Anthropic (most CLI
 * commands, a worker on other providers) does not load its ~250 modules.
 */
function anthropicSdk(): typeof import('@anthropic-ai/sdk') {
  return require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
}

/**
 * The Messages API version we speak. The SDK's default (2026-10-21) refuses temperature, top_p
 * and top_k outright, so temperature 0 could not be honoured; 2023-06-01 accepts them.
 * PAR_ANTHROPIC_API_VERSION overrides it.
 */
export const ANTHROPIC_API_VERSION = '2023-06-01';

/** The Messages API requires max_tokens; this is used when the request gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export interface AnthropicOptions {
  apiKey: string;
  apiVersion?: string;
  baseURL: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Anthropic's Messages API; SDK retries off so the Temporal retry policy owns retrying. */
export class AnthropicModel implements ChatModel {
  private readonly client: Anthropic;

  constructor(opts: AnthropicOptions) {
    const { Anthropic: AnthropicClient } = anthropicSdk();
    this.client = new AnthropicClient({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      maxRetries: 0,
      timeout: opts.timeoutMs ?? 10 * 60_000,
      fetch: opts.fetch,
      // x-api-key as well as the SDK's bearer header: the API prefers it when both are sent.
      defaultHeaders: { 'anthropic-version': opts.apiVersion ?? ANTHROPIC_API_VERSION, 'x-api-key': opts.apiKey },
    });
  }

  async generate(call: ModelCall): Promise<ModelCallOutput> {
    const modelId = `anthropic:${call.model}`;
    const guard = new CallGuard(call.signal, call.firstTokenTimeoutMs, modelId);
    const { system, messages } = toAnthropicMessages(renderContext(call.messages, call.context, call.promptTemplate));
    const body = {
      model: call.model,
      max_tokens: call.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages,
      ...(system ? { system } : {}),
      ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
      ...(call.tools && call.tools.length > 0
        ? { tools: call.tools.map((t): Tool => ({ name: t.name, description: t.description, input_schema: t.parameters as Tool['input_schema'] })) }
        : {}),
    };
    try {
      if (!call.stream) {
        const res = await this.client.messages.create({ ...body, stream: false }, { signal: guard.signal });
        guard.arrived();
        let text = '';
        const toolCalls: ModelToolCall[] = [];
        for (const block of res.content) {
          if (block.type === 'text') text += block.text;
          else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: (block.input ?? {}) as Record<string, unknown> });
        }
        return {
          text,
          toolCalls,
          usage: { inputTokens: res.usage.input_tokens, outputTokens: res.usage.output_tokens },
          finishReason: finishReason(res.stop_reason, toolCalls.length),
        };
      }
      const stream = await this.client.messages.create({ ...body, stream: true }, { signal: guard.signal });
      return await collectStream(stream, call, guard, modelId);
    } catch (err) {
      throw translateSdkError(err, anthropicSdk(), modelId, guard);
    } finally {
      guard.dispose();
    }
  }
}

async function collectStream(stream: AsyncIterable<RawMessageStreamEvent>, call: ModelCall, guard: CallGuard, modelId: string): Promise<ModelCallOutput> {
  let text = '';
  let stopReason: string | null = null;
  const usage = { inputTokens: 0, outputTokens: 0 };
  const tools = new Map<number, { id: string; name: string; json: string }>();
  for await (const event of stream) {
    guard.arrived();
    let chunkText = '';
    switch (event.type) {
      case 'message_start':
        usage.inputTokens = event.message.usage.input_tokens;
        usage.outputTokens = event.message.usage.output_tokens;
        break;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') tools.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') chunkText = event.delta.text;
        else if (event.delta.type === 'input_json_delta') {
          const tool = tools.get(event.index);
          if (tool) tool.json += event.delta.partial_json;
        }
        break;
      case 'message_delta':
        stopReason = event.delta.stop_reason ?? stopReason;
        // message_delta carries cumulative counts; input may be restated (or null).
        if (event.usage.output_tokens !== null && event.usage.output_tokens !== undefined) usage.outputTokens = event.usage.output_tokens;
        if (typeof event.usage.input_tokens === 'number') usage.inputTokens = event.usage.input_tokens;
        break;
      default:
        break;
    }
    text += chunkText;
    call.onChunk?.(chunkText);
  }
  const toolCalls = [...tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => ({ id: t.id, name: t.name, arguments: parseToolArguments(t.json, t.name, modelId) }));
  return { text, toolCalls, usage, finishReason: finishReason(stopReason, toolCalls.length) };
}

function finishReason(reason: string | null, toolCallCount: number): ModelCallOutput['finishReason'] {
  if (toolCallCount > 0 || reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length';
  return 'stop';
}

/**
 * Provider-neutral history to the Messages API: system turns become the system prompt, tool
 * results become tool_result blocks in a user turn, and consecutive turns of one role are
 * merged because the API expects user and assistant to alternate.
 */
export function toAnthropicMessages(history: ModelMessage[]): { system: string; messages: MessageParam[] } {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last && last.role === role) (last.content as ContentBlockParam[]).push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of history) {
    if (m.role === 'system') system.push(m.content);
    else if (m.role === 'user') push('user', m.content ? [{ type: 'text', text: m.content }] : []);
    else if (m.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content }]);
    else {
      const blocks: ContentBlockParam[] = [];
      if (m.content) blocks.push({ type: 'text', text: m.content });
      for (const tc of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: tc.id, name: tc.name, input: tc.arguments });
      push('assistant', blocks);
    }
  }
  return { system: system.join('\n\n'), messages };
}
