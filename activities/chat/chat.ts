import type { ContextItem, ModelMessage } from '../contracts';
import { ModelError } from '../models/errors';
import { defaultModelId, parseModelId, resolveModelId } from '../models/model-id';
import { renderContext, DEFAULT_PROMPT_TEMPLATE } from '../models/render-context';
import type { ModelRouter } from '../models/router';
import { validateMessages } from '../models/router';
import type { QueryRewriter } from '../vaults/history-search';
import { ChatError } from './errors';
import { answerReserve, messageTokens, trimHistory } from './history-trim';
import { queryRewriterFor } from './query-rewriter';
import type { ChatEvent, ChatOptions, ChatWithContext, Retriever, VaultSettingsReader } from './types';
import { contextWindow } from '../models/context-windows';

export interface ChatDeps {
  router: ModelRouter;
  /** Needed only when a chat names a vault. */
  retriever?: Retriever;
  vaultSettings?: VaultSettingsReader;
  /** Model-backed rewriters for smart history search; queryRewriterFor(router) by default. */
  rewriterFor?: (model: string) => QueryRewriter | undefined;
  /** The rewrite used when the model has no rewriter (local:extractive). */
  offlineRewrite?: (message: string, history: ModelMessage[]) => string;
  /** Attempts for a retryable provider error before any token was sent (default 3). */
  attempts?: number;
  /** Longest wait between attempts, also when a provider asks for more (default 20 s). */
  maxRetryDelayMs?: number;
  env?: NodeJS.ProcessEnv;
}

interface Prepared {
  model: string;
  messages: ModelMessage[];
  context: ContextItem[];
  searchQuery?: string;
  promptTemplate: string;
  dropped: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * getChat / getChatStream: retrieve context from vaults (optionally after a smart-history
 * rewrite), fit the history to the model's window, and answer with the chosen model.
 */
export function createChat(deps: ChatDeps) {
  const rewriterFor = deps.rewriterFor ?? queryRewriterFor(deps.router);
  const attempts = deps.attempts ?? 3;
  const maxRetryDelayMs = deps.maxRetryDelayMs ?? 20_000;

  async function prepare(message: string, opts: ChatOptions): Promise<Prepared> {
    if (typeof message !== 'string' || message.trim() === '') throw new ChatError('message must be a non-empty string');
    const history = opts.history ?? [];
    validateMessages(history, 'history');
    const model = parseModelId(opts.model ? resolveModelId(opts.model, deps.env) : defaultModelId(deps.env)).id;
    if (opts.nContext !== undefined && (!Number.isInteger(opts.nContext) || opts.nContext < 1 || opts.nContext > 100)) {
      throw new ChatError(`nContext must be an integer from 1 to 100 (got ${JSON.stringify(opts.nContext)})`);
    }
    const named = opts.vault ?? (Array.isArray(opts.vaults) ? opts.vaults[0] : opts.vaults ? Object.keys(opts.vaults)[0] : undefined);
    const settings = named && deps.vaultSettings ? await deps.vaultSettings(named) : {};
    const personality = opts.personality ?? settings.personality;
    const promptTemplate = opts.promptTemplate ?? settings.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE;

    let context: ContextItem[] = [];
    let searchQuery: string | undefined;
    const wantContext = opts.getContext ?? Boolean(opts.vault || opts.vaults);
    if (wantContext) {
      if (!opts.vault && !opts.vaults) throw new ChatError('getContext needs a vault or vaults to search');
      if (!deps.retriever) throw new ChatError('this chat has no vault search configured');
      let query = message;
      if (opts.smartHistorySearch && history.length > 0) {
        const rewriter = rewriterFor(model);
        query = rewriter ? await rewriter(message, history) : (deps.offlineRewrite?.(message, history) ?? message);
      }
      const result = await deps.retriever({
        ...(opts.vaults !== undefined ? { vaults: opts.vaults } : { vault: opts.vault }),
        query,
        n: opts.nContext ?? 4,
        filter: opts.filter,
      });
      searchQuery = result.searchQuery;
      context = result.items.map((i) => ({ id: i.id, vault: i.vault, text: i.text, score: i.score }));
    }

    const system: ModelMessage[] = personality ? [{ role: 'system', content: personality }] : [];
    const current: ModelMessage = { role: 'user', content: message };
    // The fixed part is what the model sees besides the history: the system prompt and the
    // message rendered with its context. Context is cut (least relevant first) before failing.
    const window = contextWindow(model);
    const room = window - answerReserve(window, opts.maxTokens);
    const fixed = () => [...system, ...renderContext([current], context, promptTemplate)].reduce((s, m) => s + messageTokens(m), 0);
    while (context.length > 0 && fixed() > room) context = context.slice(0, -1);
    if (fixed() > room) {
      throw new ChatError(`the message alone (about ${fixed()} tokens) does not fit ${model}'s context window of ${window} tokens less ${window - room} for the answer`, 'context_overflow');
    }
    const trimmed = trimHistory(history, { model, fixedTokens: fixed(), maxTokens: opts.maxTokens });
    return { model, messages: [...system, ...trimmed.history, current], context, searchQuery, promptTemplate, dropped: trimmed.dropped };
  }

  /** Streams one answer; retries a retryable provider error only while nothing was sent yet. */
  async function* answer(prepared: Prepared, opts: ChatOptions): AsyncGenerator<ChatEvent> {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let sentAny = false;
    for (let attempt = 1; ; attempt++) {
      let finished = false;
      let failure: unknown;
      let result: Awaited<ReturnType<ModelRouter['generate']>> | undefined;
      const call = deps.router
        .generate(
          { model: prepared.model, messages: prepared.messages, context: prepared.context, temperature: opts.temperature ?? 0, maxTokens: opts.maxTokens },
          {
            stream: true,
            signal: opts.signal,
            promptTemplate: prepared.promptTemplate,
            onChunk: (text) => {
              if (!text) return;
              queue.push(text);
              wake?.();
            },
          },
        )
        .then(
          (r) => void (result = r),
          (e: unknown) => void (failure = e),
        )
        .finally(() => {
          finished = true;
          wake?.();
        });
      while (!finished || queue.length > 0) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        sentAny = true;
        yield { type: 'token', text: queue.shift()! };
      }
      await call;
      if (result) {
        if (opts.returnContext) yield { type: 'context', items: prepared.context, searchQuery: prepared.searchQuery };
        yield { type: 'usage', usage: result.usage, model: result.model, latencyMs: result.latencyMs };
        yield { type: 'done', text: result.text };
        return;
      }
      const retry = failure instanceof ModelError && failure.retryable && !sentAny && attempt < attempts && !opts.signal?.aborted;
      if (!retry) throw failure;
      const err = failure as ModelError;
      await sleep(Math.min(maxRetryDelayMs, err.retryAfterMs ?? 500 * 2 ** (attempt - 1)), opts.signal);
    }
  }

  /** Every failure becomes one error event; nothing is thrown, and errors are never text. */
  async function* getChatStream(message: string, opts: ChatOptions = {}): AsyncGenerator<ChatEvent> {
    try {
      const prepared = await prepare(message, opts);
      yield* answer(prepared, opts);
    } catch (err) {
      yield toErrorEvent(err);
    }
  }

  function getChat(message: string, opts: ChatOptions & { returnContext: true }): Promise<ChatWithContext>;
  function getChat(message: string, opts?: ChatOptions): Promise<string>;
  async function getChat(message: string, opts: ChatOptions = {}): Promise<string | ChatWithContext> {
    const prepared = await prepare(message, opts);
    let done: string | undefined;
    let usage = { inputTokens: 0, outputTokens: 0 };
    let model = prepared.model;
    for await (const event of answer(prepared, { ...opts, returnContext: false })) {
      if (event.type === 'usage') {
        usage = event.usage;
        model = event.model;
      } else if (event.type === 'done') done = event.text;
    }
    const response = done ?? '';
    if (!opts.returnContext) return response;
    return { response, context: prepared.context, searchQuery: prepared.searchQuery, model, usage, droppedHistory: prepared.dropped };
  }

  return { getChat, getChatStream };
}

export type Chat = ReturnType<typeof createChat>;

export function toErrorEvent(err: unknown): ChatEvent {
  if (err instanceof ModelError || err instanceof ChatError) return { type: 'error', code: err.code, message: err.message, retryable: err.retryable };
  const e = err as { name?: string; code?: unknown; message?: string };
  const code = typeof e?.code === 'string' ? e.code : e?.name === 'VaultError' ? 'vault_error' : 'internal';
  return { type: 'error', code, message: e?.message ?? String(err), retryable: false };
}
