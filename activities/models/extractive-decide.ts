import type { DecideRequest } from '../contracts';
import type { TextSimilarity } from './similarity';
import { findNumbers, parseYesNo, splitSentences, splitSpans } from './text-parsing';

export interface Decision {
  answer: boolean | number | string | null;
  optionIndex?: number;
  reason: string;
}

const PATTERNS: { when: RegExp; find: RegExp; what: string }[] = [
  { when: /e-?mail/i, find: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/, what: 'an email address' },
  { when: /\b(url|link|website|web site|site)\b/i, find: /\bhttps?:\/\/[^\s)>"']+|\bwww\.[^\s)>"']+/i, what: 'a URL' },
  { when: /\b(phone|telephone|mobile|cell)\b/i, find: /\+?\d[\d\s().-]{6,}\d/, what: 'a phone number' },
  { when: /\b(number|id|code|reference)\b/i, find: /\b[A-Z]{1,5}-\d{2,}\b|\b[A-Z]{1,5}\d{3,}\b|#\d{3,}\b/, what: 'an identifier' },
  { when: /\bname\b/i, find: /\b(?:[Mm]y name is|[Ii] am|[Ii]'m|[Tt]his is|[Cc]all me)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)/, what: 'a name' },
];

const f2 = (n: number) => n.toFixed(2);

/**
 * Decisions by the offline model, by similarity and simple parsing:
 * - recognize: a plain yes/no reply decides directly; otherwise true when some sentence of the
 *   message is similar enough to the instruction.
 * - choose: an option named in the message wins; otherwise the option most similar to it.
 * - number: numbers in the message (digits or English words); with several, the one in the
 *   sentence most similar to the instruction.
 * - extract: a pattern for emails, URLs, phone numbers, identifiers (A-1234, #5521) and names when the instruction asks
 *   for one; otherwise the sentence or clause most similar to the field description, or null.
 */
export async function decideExtractive(req: DecideRequest, similarity: TextSimilarity): Promise<Decision> {
  const message = req.message ?? '';
  switch (req.kind) {
    case 'recognize': {
      const yesNo = parseYesNo(message);
      if (yesNo !== undefined) return { answer: yesNo, reason: `the message is a plain ${yesNo ? 'yes' : 'no'}` };
      const spans = [message, ...splitSentences(message)];
      const scores = await similarity.scores(req.instruction, spans);
      const best = argmax(scores);
      const score = scores[best] ?? 0;
      const answer = score >= similarity.relevantAt;
      return {
        answer,
        reason: `${similarity.method} similarity ${f2(score)} between the instruction and "${spans[best]}" is ${answer ? 'at or above' : 'below'} ${similarity.relevantAt}`,
      };
    }
    case 'choose': {
      const options = req.options ?? [];
      const lower = message.toLowerCase();
      const named = options.map((o, i) => ({ o, i })).filter(({ o }) => o.trim() && new RegExp(`\\b${escapeRegExp(o.trim().toLowerCase())}\\b`).test(lower));
      if (named.length === 1) return { answer: named[0]!.o, optionIndex: named[0]!.i, reason: `the message names the option "${named[0]!.o}"` };
      const scores = await similarity.scores(message, options.map((o) => `${req.instruction} ${o}`.trim()));
      const best = argmax(scores);
      return {
        answer: options[best]!,
        optionIndex: best,
        reason: `most similar option by ${similarity.method}: ${options.map((o, i) => `"${o}" ${f2(scores[i] ?? 0)}`).join(', ')}`,
      };
    }
    case 'number': {
      const numbers = findNumbers(message);
      if (numbers.length === 0) return { answer: null, reason: 'the message holds no number' };
      if (numbers.length === 1) return { answer: numbers[0]!.value, reason: `the only number in the message is "${numbers[0]!.text}"` };
      const sentences = splitSentences(message);
      const withNumber = sentences.filter((s) => findNumbers(s).length > 0);
      const scores = await similarity.scores(req.instruction, withNumber);
      const best = withNumber[argmax(scores)];
      const chosen = best ? findNumbers(best)[0]! : numbers[0]!;
      return { answer: chosen.value, reason: `"${chosen.text}" is in the sentence most similar to the instruction: "${best ?? message}"` };
    }
    case 'extract': {
      for (const p of PATTERNS) {
        if (!p.when.test(req.instruction)) continue;
        const m = p.find.exec(message);
        if (m) return { answer: (m[1] ?? m[0]).trim(), reason: `found ${p.what} in the message` };
      }
      const spans = splitSpans(message);
      if (spans.length === 0) return { answer: null, reason: 'the message is empty' };
      const scores = await similarity.scores(req.instruction, spans);
      const best = argmax(scores);
      const score = scores[best] ?? 0;
      if (score < similarity.relevantAt) {
        return { answer: null, reason: `no part of the message is similar enough to the field (best ${f2(score)} < ${similarity.relevantAt} by ${similarity.method})` };
      }
      return { answer: spans[best]!, reason: `the span most similar to the field by ${similarity.method} (${f2(score)})` };
    }
  }
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
