import type { Attributes } from '@opentelemetry/api';
import type { DecideRequest, DecideResult, GenerateRequest, GenerateResult, ModelMessage, ModelUsage } from '../contracts';
import { inSpan } from '../common/spans';
import { AnthropicModel } from './anthropic-adapter';
import { decisionMessages, parseDecision } from './decide-prompt';
import { createDefaultSimilarity } from './default-similarity';
import { ModelError } from './errors';
import { ExtractiveModel } from './extractive-model';
import { decideExtractive } from './extractive-decide';
import { parseModelId, PROVIDERS, resolveModelId, type ModelId } from './model-id';
import { OpenAICompatibleModel } from './openai-adapter';
import type { ChatModel } from './port';
import type { TextSimilarity } from './similarity';
import { estimateTokens } from './text-parsing';

export interface ModelRouterOptions {
  env?: NodeJS.ProcessEnv;
  /** For local:extractive (or a factory run on first use); the default embedder's when not given. */
  similarity?: TextSimilarity | (() => Promise<TextSimilarity>);
  fetch?: typeof fetch;
  /** Whole-request timeout (PAR_MODEL_TIMEOUT_MS, default 10 minutes). */
  requestTimeoutMs?: number;
  /** Streaming calls fail (retryably) when no chunk arrives in time (PAR_MODEL_FIRST_TOKEN_TIMEOUT_MS, default 45 s). */
  firstTokenTimeoutMs?: number;
}

export interface CallOptions {
  /** Stream (SSE) and call this per text chunk; '' for chunks without text. */
  onChunk?: (text: string) => void;
  stream?: boolean;
  signal?: AbortSignal;
  /** Template with {context} and {content} for rendering GenerateRequest.context. */
  promptTemplate?: string;
}

function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw} must be a positive number of milliseconds`);
  return n;
}

/**
 * Resolves "provider:model" ids to adapters (one client per provider, made on first use) and
 * runs calls with timing and usage. Keys and base URLs come from the environment.
 */
export class ModelRouter {
  private readonly env: NodeJS.ProcessEnv;
  private readonly adapters = new Map<string, ChatModel>();
  private similarity?: Promise<TextSimilarity>;
  private readonly requestTimeoutMs: number;
  private readonly firstTokenTimeoutMs: number;

  constructor(private readonly opts: ModelRouterOptions = {}) {
    this.env = opts.env ?? process.env;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? positiveIntFromEnv(this.env, 'PAR_MODEL_TIMEOUT_MS', 10 * 60_000);
    this.firstTokenTimeoutMs = opts.firstTokenTimeoutMs ?? positiveIntFromEnv(this.env, 'PAR_MODEL_FIRST_TOKEN_TIMEOUT_MS', 45_000);
  }

  /** The similarity local:extractive uses (shared with the chat library's query handling). */
  getSimilarity(): Promise<TextSimilarity> {
    const given = this.opts.similarity;
    this.similarity ??= typeof given === 'function' ? given() : given ? Promise.resolve(given) : createDefaultSimilarity(this.env);
    return this.similarity;
  }

  /** The adapter for an id; a provider without its key set is a non-retryable missing_api_key. */
  async adapter(id: ModelId): Promise<ChatModel> {
    const cached = this.adapters.get(id.provider);
    if (cached) return cached;
    let adapter: ChatModel;
    if (id.provider === 'local') adapter = new ExtractiveModel(await this.getSimilarity());
    else {
      const settings = PROVIDERS[id.provider];
      const apiKey = this.env[settings.keyVar!]?.trim();
      if (!apiKey) {
        throw new ModelError('missing_api_key', `${id.id} needs an API key: set ${settings.keyVar} (or use local:extractive, which needs none)`, { model: id.id });
      }
      const baseURL = this.env[settings.baseUrlVar!]?.trim() || settings.defaultBaseUrl!;
      const common = { apiKey, baseURL, fetch: this.opts.fetch, timeoutMs: this.requestTimeoutMs };
      adapter =
        id.provider === 'anthropic'
          ? new AnthropicModel({ ...common, apiVersion: this.env.PAR_ANTHROPIC_API_VERSION?.trim() || undefined })
          : new OpenAICompatibleModel({ ...common, provider: id.provider, maxTokensField: id.provider === 'openai' ? 'max_completion_tokens' : 'max_tokens' });
    }
    this.adapters.set(id.provider, adapter);
    return adapter;
  }

  async generate(req: GenerateRequest, opts: CallOptions = {}): Promise<GenerateResult> {
    return inSpan('model.generate', {}, async (span) => {
      validateGenerateRequest(req);
      const id = parseModelId(resolveModelId(req.model, this.env));
      span.setAttributes(modelAttributes(id));
      const adapter = await this.adapter(id);
      const stream = opts.stream ?? Boolean(opts.onChunk);
      const started = performance.now();
      const out = await adapter.generate({
        model: id.name,
        messages: req.messages,
        temperature: req.temperature,
        maxTokens: req.maxTokens,
        tools: req.tools,
        context: req.context,
        promptTemplate: opts.promptTemplate,
        stream,
        onChunk: opts.onChunk,
        signal: opts.signal,
        firstTokenTimeoutMs: stream ? this.firstTokenTimeoutMs : undefined,
      });
      span.setAttributes(usageAttributes(out));
      return { ...out, model: id.id, latencyMs: Math.round(performance.now() - started) };
    });
  }

  /** True when the id (after resolving "default") is a model that runs in this process, with no network call. */
  isOffline(model: string): boolean {
    return parseModelId(resolveModelId(model, this.env)).provider === 'local';
  }

  async decide(req: DecideRequest, opts: Pick<CallOptions, 'signal'> = {}): Promise<DecideResult> {
    return inSpan('model.decide', {}, async (span) => {
      validateDecideRequest(req);
      const id = parseModelId(resolveModelId(req.model, this.env));
      span.setAttributes({ ...modelAttributes(id), 'par.decide.kind': req.kind });
      const started = performance.now();
      if (id.provider === 'local') {
        const decision = await decideExtractive(req, await this.getSimilarity());
        const usage = { inputTokens: estimateTokens(`${req.instruction}\n${req.message}\n${(req.options ?? []).join('\n')}`), outputTokens: 0 };
        span.setAttributes(usageAttributes({ usage }));
        return { kind: req.kind, ...decision, usage, model: id.id, latencyMs: Math.round(performance.now() - started) };
      }
      const adapter = await this.adapter(id);
      const out = await adapter.generate({ model: id.name, messages: decisionMessages(req), temperature: 0, maxTokens: 512, stream: false, signal: opts.signal });
      const decision = parseDecision(req, out.text, id.id);
      span.setAttributes(usageAttributes(out));
      return { kind: req.kind, ...decision, usage: out.usage, model: id.id, latencyMs: Math.round(performance.now() - started) };
    });
  }
}

/** OpenTelemetry GenAI attributes of the model a call goes to. */
function modelAttributes(id: ModelId): Attributes {
  return { 'par.model': id.id, 'gen_ai.system': id.provider, 'gen_ai.request.model': id.name };
}

/** OpenTelemetry GenAI attributes of a finished call: tokens and finish reason. */
function usageAttributes(out: { usage: ModelUsage; finishReason?: string }): Attributes {
  return {
    'gen_ai.usage.input_tokens': out.usage.inputTokens,
    'gen_ai.usage.output_tokens': out.usage.outputTokens,
    ...(out.finishReason ? { 'gen_ai.response.finish_reasons': [out.finishReason] } : {}),
  };
}

function badRequest(message: string, model?: string): ModelError {
  return new ModelError('bad_request', message, { model });
}

export function validateMessages(messages: unknown, field: string, model?: string): asserts messages is ModelMessage[] {
  if (!Array.isArray(messages)) throw badRequest(`${field} must be an array of messages`, model);
  messages.forEach((m: Partial<ModelMessage>, i) => {
    if (!m || typeof m !== 'object') throw badRequest(`${field}[${i}] must be an object`, model);
    if (!['system', 'user', 'assistant', 'tool'].includes(m.role as string)) throw badRequest(`${field}[${i}].role must be system, user, assistant or tool (got ${JSON.stringify(m.role)})`, model);
    if (typeof m.content !== 'string') throw badRequest(`${field}[${i}].content must be a string`, model);
    if (m.role === 'tool' && !m.toolCallId) throw badRequest(`${field}[${i}] is a tool result without toolCallId`, model);
  });
}

function validateGenerateRequest(req: GenerateRequest): void {
  validateMessages(req.messages, 'messages', req.model);
  if (req.messages.length === 0) throw badRequest('messages must hold at least one message', req.model);
  if (req.temperature !== undefined && (typeof req.temperature !== 'number' || req.temperature < 0 || req.temperature > 2)) {
    throw badRequest(`temperature must be a number from 0 to 2 (got ${JSON.stringify(req.temperature)})`, req.model);
  }
  if (req.maxTokens !== undefined && (!Number.isInteger(req.maxTokens) || req.maxTokens <= 0)) throw badRequest(`maxTokens must be a positive integer (got ${JSON.stringify(req.maxTokens)})`, req.model);
  for (const [i, tool] of (req.tools ?? []).entries()) {
    if (!tool || typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) throw badRequest(`tools[${i}].name must be 1-64 letters, digits, _ or -`, req.model);
    if (!tool.parameters || typeof tool.parameters !== 'object') throw badRequest(`tools[${i}].parameters must be a JSON Schema object`, req.model);
  }
}

function validateDecideRequest(req: DecideRequest): void {
  if (!['recognize', 'choose', 'number', 'extract'].includes(req.kind)) throw badRequest(`kind must be recognize, choose, number or extract (got ${JSON.stringify(req.kind)})`, req.model);
  if (typeof req.instruction !== 'string' || !req.instruction.trim()) throw badRequest('instruction must be a non-empty string', req.model);
  if (typeof req.message !== 'string') throw badRequest('message must be a string', req.model);
  if (req.kind === 'choose' && (!Array.isArray(req.options) || req.options.length === 0 || req.options.some((o) => typeof o !== 'string'))) {
    throw badRequest('kind "choose" needs options: a non-empty array of strings', req.model);
  }
  if (req.history !== undefined) validateMessages(req.history, 'history', req.model);
}
