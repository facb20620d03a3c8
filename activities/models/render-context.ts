import type { ContextItem, ModelMessage } from '../contracts';

/** Used when neither the caller nor the vault gives a template. */
export const DEFAULT_PROMPT_TEMPLATE = [
  'Answer the message below using the context when it is relevant. If the context does not hold the answer, say so rather than guessing.',
  '',
  'Context:',
  '{context}',
  '',
  'Message:',
  '{content}',
].join('\n');

export function formatContext(items: ContextItem[]): string {
  return items.map((item, i) => `[${i + 1}]${item.vault ? ` (${item.vault})` : ''} ${item.text.trim()}`).join('\n\n');
}

/**
 * Puts retrieved context into the last user message through the template's {context} and
 * {content} placeholders. The history is left as it was, so switching models mid-conversation
 * never carries one turn's context into the next.
 */
export function renderContext(messages: ModelMessage[], context: ContextItem[] | undefined, template = DEFAULT_PROMPT_TEMPLATE): ModelMessage[] {
  if (!context || context.length === 0) return messages;
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      last = i;
      break;
    }
  }
  const contextText = formatContext(context);
  // Without a user turn (e.g. a system-only request) the context goes in as its own user turn.
  if (last === -1) return [...messages, { role: 'user', content: fillTemplate(template, contextText, '') }];
  const out = messages.slice();
  out[last] = { ...messages[last]!, content: fillTemplate(template, contextText, messages[last]!.content) };
  return out;
}

/** Replaces every {context} and {content}; a template without {content} gets the message appended. */
export function fillTemplate(template: string, context: string, content: string): string {
  // One pass, so a {content} inside the retrieved text is never substituted again.
  const filled = template.replace(/\{context\}|\{content\}/g, (m) => (m === '{context}' ? context : content));
  if (!template.includes('{content}') && content) return `${filled}\n\n${content}`;
  return filled;
}
