import type { ModelMessage } from '../contracts';
import { parseModelId } from '../models/model-id';
import type { ModelRouter } from '../models/router';
import type { QueryRewriter } from '../vaults/history-search';

/** How many recent messages the rewrite sees: enough for the subject, not the whole story. */
const RECENT = 8;

const INSTRUCTION =
  'You turn the latest message of a conversation into a standalone search query for a knowledge base. ' +
  'Resolve what words like "that", "it" or "this" refer to from the conversation. ' +
  'Reply with the query only: the key terms and names, no quotes, no explanation.';

/**
 * Smart history search with a language model: one extra call (temperature 0, short) turns
 * "How do I fix that?" plus the conversation into "PostgreSQL query timeout indexes locks".
 */
export function createModelQueryRewriter(router: ModelRouter, model: string): QueryRewriter {
  return async (message: string, history: ModelMessage[]) => {
    const transcript = history
      .filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content.trim())
      .slice(-RECENT)
      .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content.trim()}`)
      .join('\n');
    const result = await router.generate(
      {
        model,
        messages: [
          { role: 'system', content: INSTRUCTION },
          { role: 'user', content: `Conversation:\n${transcript || '(none)'}\n\nLatest message: ${message}` },
        ],
        temperature: 0,
        maxTokens: 64,
      },
      { stream: false },
    );
    const query = (result.text.split('\n').find((l) => l.trim()) ?? '').trim().replace(/^["'`]+|["'`]+$/g, '').replace(/^(search )?query:\s*/i, '');
    return query || message;
  };
}

/**
 * The rewriter for a model id, as VaultService's queryRewriterFor wants it: a model-backed one
 * for language models, none for local:extractive (the vault service's offline method applies).
 */
export function queryRewriterFor(router: ModelRouter): (model: string) => QueryRewriter | undefined {
  return (model: string) => (parseModelId(model).provider === 'local' ? undefined : createModelQueryRewriter(router, model));
}
