import type { ContextItem, ModelMessage } from '../contracts';
import type { ChatModel, ModelCall, ModelCallOutput } from './port';
import type { TextSimilarity } from './similarity';
import { estimateTokens, splitSentences } from './text-parsing';

/** Said in every answer, so nobody mistakes the offline model for a language model. */
export const EXTRACTIVE_DISCLOSURE = 'local:extractive is an extractive method, not a language model: it quotes the context sentences most similar to your message.';

/** At most this many sentences are quoted. */
export const MAX_QUOTES = 3;

/** A sentence is quoted only when it scores at least this share of the best one. */
export const RELATIVE_CUT = 0.8;

interface Candidate {
  sentence: string;
  item: number;
  score: number;
}

/**
 * The offline model. It answers only from the given context: it splits the context into
 * sentences, scores each against the latest user message, and quotes the best ones (at most
 * three, each above the method's relevance threshold and within 80% of the best score) with the
 * item they came from. It never invents text and never calls tools.
 */
export class ExtractiveModel implements ChatModel {
  constructor(readonly similarity: TextSimilarity) {}

  async generate(call: ModelCall): Promise<ModelCallOutput> {
    if (call.signal?.aborted) throw call.signal.reason;
    const query = lastUserMessage(call.messages);
    const context = call.context ?? [];
    const text = await this.answer(query, context);
    const inputTokens = estimateTokens(call.messages.map((m) => m.content).join('\n') + context.map((c) => c.text).join('\n'));
    // Streamed line by line, so callers exercise the same token path as with remote models.
    if (call.onChunk) for (const piece of text.split(/(?<=\n)/)) call.onChunk(piece);
    return { text, toolCalls: [], usage: { inputTokens, outputTokens: estimateTokens(text) }, finishReason: 'stop' };
  }

  private async answer(query: string, context: ContextItem[]): Promise<string> {
    if (context.length === 0) {
      return `${EXTRACTIVE_DISCLOSURE}\nNo context was retrieved for this message, so there is nothing to quote. Search a vault (par chat VAULT ...) or set a model API key (e.g. OPENAI_API_KEY) for generated answers.`;
    }
    const candidates: Candidate[] = [];
    context.forEach((item, i) => {
      for (const sentence of splitSentences(item.text)) candidates.push({ sentence, item: i, score: 0 });
    });
    const scores = await this.similarity.scores(query, candidates.map((c) => c.sentence));
    candidates.forEach((c, i) => (c.score = scores[i] ?? 0));
    const best = Math.max(...candidates.map((c) => c.score));
    const floor = Math.max(this.similarity.relevantAt, best * RELATIVE_CUT);
    const relevant = candidates
      .filter((c) => c.score >= floor)
      .sort((a, b) => b.score - a.score)
      .slice(0, MAX_QUOTES);
    if (relevant.length === 0) {
      return `${EXTRACTIVE_DISCLOSURE}\nNone of the ${context.length} context item(s) has a sentence close enough to the message (similarity below ${this.similarity.relevantAt} by ${this.similarity.method}).`;
    }
    const lines = relevant.map((c) => {
      const source = context[c.item]!;
      const where = [source.vault, source.id].filter(Boolean).join('/');
      return `> ${c.sentence} [${c.item + 1}${where ? `: ${where}` : ''}]`;
    });
    return `${EXTRACTIVE_DISCLOSURE}\nFrom the context:\n${lines.join('\n')}`;
  }
}

export function lastUserMessage(messages: ModelMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return '';
}
