/**
 * Smart history search: turn "How do I fix that?" into something worth embedding by adding the
 * subject of the recent conversation. The offline method (no model call) weights the salient
 * terms of the last few messages: each occurrence counts 0.6^age (age 0 = newest message), terms
 * that look like names, numbers or identifiers count 1.5x, stopwords and terms the message
 * already has are skipped; the best few are appended to the message. The shorter the message,
 * the more terms it gets. A model-backed QueryRewriter replaces this when a model is given.
 */
import type { ModelMessage } from '../contracts';

/** Rewrites the current message plus history into the text to search for (one model call). */
export type QueryRewriter = (message: string, history: ModelMessage[]) => Promise<string>;

const RECENT_MESSAGES = 6;
const DECAY = 0.6;

const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves yes ok okay thanks thank please hi hello hey also get got like well ' +
    'one two way thing things know think want need make sure let lets really still much many even use using used tell ' +
    'said say says see seen good great right going done fix help'
  ).split(' '),
);

interface Term {
  display: string;
  weight: number;
}

function words(text: string): { word: string; raw: string; index: number }[] {
  return Array.from(text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}_\-.']*[\p{L}\p{N}]|[\p{L}\p{N}]/gu)).map((m) => ({
    word: m[0].toLowerCase(),
    raw: m[0],
    index: m.index!,
  }));
}

function looksSalient(raw: string, index: number, text: string): boolean {
  if (/\d/.test(raw) || /[_.\-]/.test(raw)) return true;
  // A capital letter not at a sentence start suggests a name or product.
  const before = text.slice(Math.max(0, index - 2), index);
  return /^\p{Lu}/u.test(raw) && index > 0 && !/[.!?]\s*$/.test(before);
}

function contentWords(text: string): string[] {
  return words(text)
    .map((w) => w.word)
    .filter((w) => w.length > 2 && !STOPWORDS.has(w));
}

export function salientHistoryTerms(message: string, history: ModelMessage[], limit: number): string[] {
  const inMessage = new Set(contentWords(message));
  const recent = history.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content).slice(-RECENT_MESSAGES);
  const terms = new Map<string, Term>();
  recent.forEach((m, i) => {
    const age = recent.length - 1 - i;
    for (const { word, raw, index } of words(m.content)) {
      if (word.length <= 2 || STOPWORDS.has(word) || inMessage.has(word)) continue;
      const w = DECAY ** age * (looksSalient(raw, index, m.content) ? 1.5 : 1);
      const t = terms.get(word);
      if (t) t.weight += w;
      else terms.set(word, { display: raw, weight: w });
    }
  });
  return [...terms.values()]
    .sort((a, b) => b.weight - a.weight || a.display.localeCompare(b.display))
    .slice(0, limit)
    .map((t) => t.display);
}

/** The offline rewrite: the message plus the top terms of recent history. */
export function offlineSearchQuery(message: string, history: ModelMessage[]): string {
  const own = contentWords(message).length;
  const extra = Math.max(2, 8 - own);
  const terms = salientHistoryTerms(message, history, extra);
  return terms.length ? `${message.trim()} ${terms.join(' ')}` : message.trim();
}
