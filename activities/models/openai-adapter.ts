import type OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ModelMessage, ModelToolCall, ModelToolSpec } from '../contracts';
import { CallGuard } from './call-guard';
import type { ChatModel, ModelCall, ModelCallOutput } from './port';
import { renderContext } from './render-context';
import { parseToolArguments, translateSdkError } from './sdk-errors';

/** The SDK, loaded with the first model that speaks it: a process that calls no model does not load it. */
function openAiSdk(): typeof import('openai') {
  return require('openai') as typeof import('openai');
}

export interface OpenAICompatibleOptions {
  /** "openai", "gemini" or "grok": used in ids and error messages. */
  provider: string;
  apiKey: string;
  baseURL: string;
  /** OpenAI's newer models want max_completion_tokens; the compatible endpoints take max_tokens. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * OpenAI chat completions, also spoken by Gemini's and xAI's OpenAI-compatible endpoints. The
 * SDK's own retries are off: the Temporal activity's retry policy owns retrying.
 */
export class OpenAICompatibleModel implements ChatModel {
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAICompatibleOptions) {
    const { OpenAI: OpenAIClient } = openAiSdk();
    this.client = new OpenAIClient({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      maxRetries: 0,
      timeout: opts.timeoutMs ?? 10 * 60_000,
      fetch: opts.fetch,
    });
  }

  async generate(call: ModelCall): Promise<ModelCallOutput> {
    const modelId = `${this.opts.provider}:${call.model}`;
    const guard = new CallGuard(call.signal, call.firstTokenTimeoutMs, modelId);
    const body = {
      model: call.model,
      messages: toOpenAIMessages(renderContext(call.messages, call.context, call.promptTemplate)),
      ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
      ...(call.maxTokens !== undefined ? { [this.opts.maxTokensField]: call.maxTokens } : {}),
      ...(call.tools && call.tools.length > 0 ? { tools: call.tools.map(toOpenAITool) } : {}),
    };
    try {
      if (!call.stream) {
        const res = await this.client.chat.completions.create({ ...body, stream: false }, { signal: guard.signal });
        guard.arrived();
        const choice = res.choices[0];
        const toolCalls: ModelToolCall[] = [];
        for (const tc of choice?.message.tool_calls ?? []) {
          if (tc.type !== 'function') continue;
          toolCalls.push({ id: tc.id, name: tc.function.name, arguments: parseToolArguments(tc.function.arguments, tc.function.name, modelId) });
        }
        return {
          text: choice?.message.content ?? '',
          toolCalls,
          usage: { inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0 },
          finishReason: finishReason(choice?.finish_reason, toolCalls.length),
        };
      }
      const stream = await this.client.chat.completions.create(
        { ...body, stream: true, stream_options: { include_usage: true } },
        { signal: guard.signal },
      );
      return await collectStream(stream, call, guard, modelId);
    } catch (err) {
      throw translateSdkError(err, openAiSdk(), modelId, guard);
    } finally {
      guard.dispose();
    }
  }
}

async function collectStream(stream: AsyncIterable<ChatCompletionChunk>, call: ModelCall, guard: CallGuard, modelId: string): Promise<ModelCallOutput> {
  let text = '';
  let reason: string | null | undefined;
  const usage = { inputTokens: 0, outputTokens: 0 };
  // Tool calls arrive in pieces keyed by index: the first piece has id and name, later ones
  // append to the arguments text.
  const partial = new Map<number, { id: string; name: string; args: string }>();
  for await (const chunk of stream) {
    guard.arrived();
    if (chunk.usage) {
      usage.inputTokens = chunk.usage.prompt_tokens ?? 0;
      usage.outputTokens = chunk.usage.completion_tokens ?? 0;
    }
    const choice = chunk.choices[0];
    const delta = choice?.delta;
    if (choice?.finish_reason) reason = choice.finish_reason;
    if (delta?.content) {
      text += delta.content;
      call.onChunk?.(delta.content);
    } else {
      call.onChunk?.('');
    }
    for (const tc of delta?.tool_calls ?? []) {
      const entry = partial.get(tc.index) ?? { id: '', name: '', args: '' };
      if (tc.id) entry.id = tc.id;
      if (tc.function?.name) entry.name += tc.function.name;
      if (tc.function?.arguments) entry.args += tc.function.arguments;
      partial.set(tc.index, entry);
    }
  }
  const toolCalls = [...partial.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, p]) => ({ id: p.id || `call_${index}`, name: p.name, arguments: parseToolArguments(p.args, p.name, modelId) }));
  return { text, toolCalls, usage, finishReason: finishReason(reason, toolCalls.length) };
}

function finishReason(reason: string | null | undefined, toolCallCount: number): ModelCallOutput['finishReason'] {
  if (toolCallCount > 0 || reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  return 'stop';
}

function toOpenAITool(tool: ModelToolSpec): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

export function toOpenAIMessages(messages: ModelMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
      case 'assistant':
        if (m.toolCalls && m.toolCalls.length > 0) {
          return {
            role: 'assistant',
            content: m.content || null,
            tool_calls: m.toolCalls.map((tc) => ({ id: tc.id, type: 'function' as const, function: { name: tc.name, arguments: JSON.stringify(tc.arguments) } })),
          };
        }
        return { role: 'assistant', content: m.content };
    }
  });
}
