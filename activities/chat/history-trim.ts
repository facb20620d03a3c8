import type { ModelMessage } from '../contracts';
import { contextWindow } from '../models/context-windows';
import { estimateTokens } from '../models/text-parsing';

/** Per-message framing the providers add (role markers and separators), in tokens. */
const MESSAGE_OVERHEAD = 4;

export function messageTokens(m: ModelMessage): number {
  const calls = m.toolCalls?.length ? estimateTokens(JSON.stringify(m.toolCalls)) : 0;
  return estimateTokens(m.content) + calls + MESSAGE_OVERHEAD;
}

/** Tokens kept free for the answer: maxTokens when given, else a quarter of the window up to 4,096. */
export function answerReserve(window: number, maxTokens?: number): number {
  return maxTokens ?? Math.min(4096, Math.floor(window / 4));
}

export interface TrimResult {
  history: ModelMessage[];
  /** Messages dropped from the start of the history. */
  dropped: number;
  /** Tokens (estimated) the kept history uses. */
  historyTokens: number;
}

/**
 * Fits the history into what is left of the model's context window once the fixed part (system
 * prompt, the current message with its context, the answer reserve) is counted. The rule:
 * - system messages in the history are always kept;
 * - the rest is cut into turns, each a user message with the assistant and tool messages that
 *   follow it, so a tool result never loses the call it answers;
 * - whole turns are kept from the newest backwards while they fit; the first turn that does not
 *   fit and every older one are dropped.
 * Token counts are estimates (about 4 characters per token).
 */
export function trimHistory(history: ModelMessage[], opts: { model: string; fixedTokens: number; maxTokens?: number }): TrimResult {
  const window = contextWindow(opts.model);
  const systems = history.filter((m) => m.role === 'system');
  let budget = window - answerReserve(window, opts.maxTokens) - opts.fixedTokens - systems.reduce((s, m) => s + messageTokens(m), 0);
  const turns: ModelMessage[][] = [];
  for (const m of history) {
    if (m.role === 'system') continue;
    if (m.role === 'user' || turns.length === 0) turns.push([m]);
    else turns[turns.length - 1]!.push(m);
  }
  const kept: ModelMessage[][] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = turns[i]!.reduce((s, m) => s + messageTokens(m), 0);
    if (cost > budget) break;
    budget -= cost;
    used += cost;
    kept.unshift(turns[i]!);
  }
  const keptMessages = kept.flat();
  return { history: [...systems, ...keptMessages], dropped: history.length - systems.length - keptMessages.length, historyTokens: used };
}
