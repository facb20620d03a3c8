import type { DecideRequest, ModelMessage } from '../contracts';
import { ModelError } from './errors';
import type { Decision } from './extractive-decide';

const SHAPES: Record<DecideRequest['kind'], string> = {
  recognize: '"answer" is true or false',
  choose: '"answer" is the exact text of one of the options',
  number: '"answer" is a number, or null when the message gives none',
  extract: '"answer" is the text of the field as a string, or null when the message does not give it',
};

/** The messages asking a language model for one structured decision as a JSON object. */
export function decisionMessages(req: DecideRequest): ModelMessage[] {
  const options = req.kind === 'choose' ? `\nOptions:\n${(req.options ?? []).map((o, i) => `${i + 1}. ${o}`).join('\n')}` : '';
  return [
    {
      role: 'system',
      content:
        `You make one ${req.kind} decision about the user's latest message, using the conversation for context. ` +
        `Reply with only a JSON object {"answer": ..., "reason": "<one short sentence>"} where ${SHAPES[req.kind]}.`,
    },
    ...(req.history ?? []).filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => ({ role: m.role, content: m.content })),
    { role: 'user', content: `Decision: ${req.instruction}${options}\n\nMessage: ${req.message}` },
  ];
}

/** Reads the model's JSON reply; anything off-shape is a non-retryable bad_response. */
export function parseDecision(req: DecideRequest, text: string, modelId: string): Decision {
  const bad = (why: string) => new ModelError('bad_response', `${modelId} gave no usable ${req.kind} decision (${why}): ${text.slice(0, 200)}`, { model: modelId });
  const match = /\{[\s\S]*\}/.exec(text);
  if (!match) throw bad('no JSON object');
  let parsed: { answer?: unknown; reason?: unknown };
  try {
    parsed = JSON.parse(match[0]) as typeof parsed;
  } catch {
    throw bad('invalid JSON');
  }
  const reason = typeof parsed.reason === 'string' ? parsed.reason : '';
  const a = parsed.answer;
  switch (req.kind) {
    case 'recognize':
      if (typeof a === 'boolean') return { answer: a, reason };
      if (a === 'true' || a === 'yes') return { answer: true, reason };
      if (a === 'false' || a === 'no') return { answer: false, reason };
      throw bad('answer is not true/false');
    case 'choose': {
      const options = req.options ?? [];
      let index = typeof a === 'string' ? options.findIndex((o) => o.trim().toLowerCase() === a.trim().toLowerCase()) : -1;
      if (index === -1 && typeof a === 'number' && Number.isInteger(a) && a >= 1 && a <= options.length) index = a - 1;
      if (index === -1) throw bad('answer is not one of the options');
      return { answer: options[index]!, optionIndex: index, reason };
    }
    case 'number':
      if (a === null) return { answer: null, reason };
      if (typeof a === 'number' && Number.isFinite(a)) return { answer: a, reason };
      if (typeof a === 'string' && a.trim() !== '' && Number.isFinite(Number(a.replace(/,/g, '')))) return { answer: Number(a.replace(/,/g, '')), reason };
      throw bad('answer is not a number');
    case 'extract':
      if (a === null) return { answer: null, reason };
      if (typeof a === 'string') return { answer: a, reason };
      if (typeof a === 'number' || typeof a === 'boolean') return { answer: String(a), reason };
      throw bad('answer is not a string');
  }
}
