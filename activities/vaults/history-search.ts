/**
 * Smart history search: turn "How do I fix that?" into something worth embedding by adding the
 * subject of the conversation. The offline method (no model call):
 *  1. decides whether the message needs context at all: a reference back ("it", "that", "the
 *     same") or a continuation ("and ...", "what about ..."). A message without either is
 *     searched as it is, never diluted;
 *  2. finds the conversation's subject: the user message that opened the current topic (the
 *     latest user message that did not itself need context) and the user's messages since;
 *  3. appends that subject's salient terms (names, numbers and identifiers first), plus the
 *     names and identifiers of the last assistant reply only, at a lower weight, so a reply can
 *     resolve "it" without pulling retrieval back to everything already shown.
 * The shorter the message, the more terms it gets (at most 6). A model-backed QueryRewriter
 * replaces this when a model is given. bench/history-search.ts measures it against human rewrites.
 */
import type { ModelMessage } from '../contracts';

/** Rewrites the current message plus history into the text to search for (one model call). */
export type QueryRewriter = (message: string, history: ModelMessage[]) => Promise<string>;

const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves yes ok okay thanks thank please hi hello hey also get got like well ' +
    'one two way thing things know think want need make sure let lets really still much many even use using used tell ' +
    'said say says see seen good great right going done fix help happened happen learn try tried work works worked ' +
    'usually often maybe something anything everything just lot lots bit kind sort stuff'
  ).split(' '),
);

/** Words that point back at something said before. */
const ANAPHORA = /\b(it|its|it's|that|this|those|these|they|them|their|there|he|she|him|her|one|ones|same|such|the latter|the former)\b/i;
/** Openings that continue the previous question. */
const CONTINUATION = /^\s*(and|or|but|also|what about|how about|what if|then|so|instead|same for|now)\b/i;

interface Word {
  word: string;
  raw: string;
  index: number;
}

function words(text: string): Word[] {
  return Array.from(text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}_\-.']*[\p{L}\p{N}]|[\p{L}\p{N}]/gu)).map((m) => ({
    word: m[0].toLowerCase(),
    raw: m[0],
    index: m.index!,
  }));
}

function looksSalient(raw: string, index: number, text: string): boolean {
  if (/\d/.test(raw) || /[_.\-]/.test(raw)) return true;
  if (/^\p{Lu}{2,}/u.test(raw)) return true; // acronyms: AWS, JVM
  // A capital letter not at a sentence start suggests a name or product.
  const before = text.slice(Math.max(0, index - 2), index);
  return /^\p{Lu}/u.test(raw) && index > 0 && !/[.!?:]\s*$/.test(before);
}

function contentWords(text: string): string[] {
  return words(text)
    .map((w) => w.word)
    .filter((w) => w.length > 2 && !STOPWORDS.has(w));
}

/** Whether a message can only be understood with the conversation before it. */
export function needsContext(message: string): boolean {
  const own = contentWords(message);
  if (own.length === 0) return !/^\s*(ok|okay|thanks|thank you|great|cool|nice|got it)\b/i.test(message);
  if (CONTINUATION.test(message)) return true;
  // A single content word can be the whole specific query ("semicolon"): only references count.
  return ANAPHORA.test(message);
}

/** The user messages of the current topic: from the latest one that opened it, oldest first. */
function topicMessages(history: ModelMessage[]): ModelMessage[] {
  const users = history.filter((m) => m.role === 'user' && m.content?.trim());
  let start = users.length - 1;
  while (start > 0 && needsContext(users[start]!.content)) start--;
  return users.slice(Math.max(0, start));
}

interface Term {
  display: string;
  weight: number;
  first: number;
}

/** The subject's salient terms, best first, leaving out what the message already says. */
export function salientHistoryTerms(message: string, history: ModelMessage[], limit: number): string[] {
  const inMessage = new Set(contentWords(message));
  const terms = new Map<string, Term>();
  let order = 0;
  const add = (text: string, weight: number, onlySalient: boolean) => {
    for (const { word, raw, index } of words(text)) {
      if (word.length <= 2 || STOPWORDS.has(word) || inMessage.has(word)) continue;
      const salient = looksSalient(raw, index, text);
      if (onlySalient && !salient) continue;
      const w = weight * (salient ? 1.5 : 1);
      const t = terms.get(word);
      if (t) t.weight += w;
      else terms.set(word, { display: raw, weight: w, first: order++ });
    }
  };
  const topic = topicMessages(history);
  // The message that opened the topic carries the subject; later follow-ups add to it, less.
  topic.forEach((m, i) => add(m.content, i === 0 ? 1 : 0.6, false));
  const lastReply = [...history].reverse().find((m) => m.role === 'assistant' && m.content?.trim());
  if (lastReply) add(lastReply.content, 0.5, true);
  return [...terms.values()]
    .sort((a, b) => b.weight - a.weight || a.first - b.first)
    .slice(0, limit)
    .sort((a, b) => a.first - b.first)
    .map((t) => t.display);
}

/** The offline rewrite: a specific message as it is; otherwise the message plus its subject's terms. */
export function offlineSearchQuery(message: string, history: ModelMessage[]): string {
  const text = message.trim();
  if (!history.some((m) => (m.role === 'user' || m.role === 'assistant') && m.content?.trim()) || !needsContext(text)) return text;
  const own = contentWords(text).length;
  const terms = salientHistoryTerms(text, history, Math.max(2, Math.min(6, 7 - own)));
  return terms.length ? `${text} ${terms.join(' ')}` : text;
}
