/**
 * The Memory Vault's same-topic decision: does a new memory update an existing entry (the same
 * subject and attribute, said again or with a new value) or is it a memory of its own? Cosine
 * alone cannot tell "The Lisbon trip budget is $2,000" from "The office party budget is $500"
 * (close in meaning, different budgets) while missing plain paraphrases. So the decision also
 * reads the pair (pairFeatures): conflicting subject names ("Kemi's birthday" / "Liam's birthday")
 * or owners ("My dog" / "My neighbour's dog"), update words ("moved to", "now"), differing values
 * (numbers, times, months, weekdays), one slot swapped in an otherwise identical
 * statement ("allergic to peanuts" / "allergic to cats"), subjects with the same head and other
 * modifiers, and the shared content words (a WordNet synonym counts as shared: "cilantro" / "coriander",
 * "bike" / "cycle"); a logistic model weighs them with the cosine. Negation
 * is not a feature: "I eat meat" then "I don't eat meat any more" is one topic, updated.
 * Measured by bench/memory-search.ts (precision, recall, F1) on test/data/memory-merge-pairs.json
 * (5-fold cross-validation; the weights are fitted on it) and on memory-merge-holdout.json, which
 * no choice was made on.
 */

import { synsetsOf } from './wordnet';

/** Words that end a statement's subject: its first verb (or "I'm"-style openers). */
const VERBS = new Set(
  (
    "is are was were be been 's has have had does do did doesn't don't can't won't isn't aren't wasn't i'm we're they're it's " +
    'uses use prefers prefer likes like loves love hates hate wants want works work lives live plays play takes take keeps keep goes go ' +
    'gets get sleeps sleep speaks speak reads read drinks drink starts start lands land leads lead joined moved switched raised changed ' +
    'plans plan meets meet runs run watches watch needs need pays pay drives drive commutes codes cycles bike books enjoys tracks supplements ' +
    'arrives begins gathers happens lasts allows migrated went slipped put pick picked must will would should could can may might'
  ).split(' '),
);

/** Sentence-initial words that are not names even when capitalised. */
const NOT_NAMES = new Set(
  'the a an my our their his her your its i we they you this that these those there here please always usually currently every each all no not now keep send change remind call use'.split(' '),
);

function tokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.\-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? [];
}

/** The subject of a statement: its tokens before the first verb (or all of them). */
export function subjectOf(text: string): string[] {
  const toks = tokens(text);
  const out: string[] = [];
  for (const t of toks) {
    const low = t.toLowerCase().replace(/’/g, "'");
    if (VERBS.has(low)) break;
    if (low.endsWith("'s") && out.length === 0 && /^\p{Lu}/u.test(t)) {
      out.push(t.slice(0, -2));
      continue;
    }
    out.push(t);
  }
  return out.length === toks.length ? toks : out;
}

/**
 * Capitalised names in the subject ("Kemi's birthday" -> kemi). A capitalised first word counts
 * only when a verb or "'s" follows it ("Ben is ...", "Radiohead is ..."), not "Monthly rent ...".
 */
export function subjectNames(text: string): Set<string> {
  const names = new Set<string>();
  const toks = tokens(text);
  const subject = subjectOf(text);
  subject.forEach((t, i) => {
    if (!/^\p{Lu}/u.test(t)) return;
    const low = t.toLowerCase().replace(/['’]s$/, '');
    if (i === 0) {
      const next = (toks[1] ?? '').toLowerCase();
      const possessive = /['’]s$/.test(toks[0] ?? '');
      if (NOT_NAMES.has(low) || !(possessive || VERBS.has(next))) return;
    }
    names.add(low);
  });
  return names;
}

/** Whose the subject is: the last possessor in it ("My neighbour's dog" -> neighbour), the speaker for "my"/"our"/"the user's". */
export function subjectOwner(text: string): string | undefined {
  let owner: string | undefined;
  for (const t of subjectOf(text)) {
    const low = t.toLowerCase().replace(/’/g, "'");
    if (low === 'my' || low === 'our') owner = 'self';
    else if (low.endsWith("'s")) owner = low === "user's" ? 'self' : low.slice(0, -2);
  }
  return owner;
}

/** Words that say a statement replaces an earlier value ("now", "moved to", "switched"). */
const UPDATE = /\b(now|new|no longer|anymore|moved|switched|changed?|raised|slipped|migrated|went up|went down|instead|updated?|from now on)\b/i;
const UPDATE_WORD = /^(now|new|no|longer|anymore|moved|switched|change|changed|raised|slipped|migrated|went|instead|update|updated)$/;

/** Function words: never what a statement is about. */
const STOP = new Set(
  ("a an the my our their his her your its i we they you he she it me us them this that these those is are was were be been am 's has have had " +
    "do does did to of in on at for from with by and or as about than then so user user's when where who which what there here please very " +
    "i'm we're they're it's mostly usually always every each all any some").split(' '),
);

const NUMBER_WORDS: Record<string, string> = { one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10', eleven: '11', twelve: '12', twice: '2', half: '0.5' };

function words(text: string): string[] {
  return tokens(text).map((t) => t.toLowerCase().replace(/’/g, "'").replace(/'s$/, '').replace(/\.$/, ''));
}

/** A crude stem, so "kids" meets "kid" and "meetings" meets "meeting". */
function stem(w: string): string {
  return w.replace(/(ies)$/, 'y').replace(/(ing|ed|es|s)$/, '') || w;
}

function contentWords(ws: string[]): string[] {
  return [...new Set(ws.filter((w) => !STOP.has(w) && !UPDATE_WORD.test(w)))];
}

/** Months and weekdays are values like numbers ("in April" / "in October"); the first three letters name each. */
const CALENDAR = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)/;
const CALENDAR_WORDS = new Set(
  'january february march april june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays'.split(' '),
);

/** The numbers a statement holds; times as hours:minutes ("6:40 pm" and "18:40" are one time); months and weekdays by name. */
function numbersOf(text: string, ws: string[]): Set<string> {
  const out = new Set<string>();
  const hour = (h: string, pm: string | undefined) => (pm?.toLowerCase() === 'pm' && Number(h) < 12 ? Number(h) + 12 : Number(h));
  const rest = text
    .replace(/\b(\d{1,2}):(\d{2})\s*(am|pm)?\b/gi, (_m, h: string, min: string, pm?: string) => (out.add(`${hour(h, pm)}:${min}`), ' '))
    .replace(/\b(\d{1,2})\s*(am|pm)\b/gi, (_m, h: string, pm: string) => (out.add(`${hour(h, pm)}:00`), ' '));
  for (const d of rest.match(/\d[\d,]*(?:\.\d+)?/g) ?? []) out.add(String(Number(d.replace(/,/g, ''))));
  for (const w of ws) {
    if (NUMBER_WORDS[w]) out.add(NUMBER_WORDS[w]!);
    else if (CALENDAR_WORDS.has(w)) out.add(CALENDAR.exec(w)![1]!);
  }
  return out;
}

/**
 * What the decision reads of a pair (a: the stored entry, b: the new statement). Each is 0 or 1
 * unless said otherwise; their weights are fitted (bench/memory-search.ts --fit-merge).
 */
export interface PairFeatures {
  /** Cosine of the two embeddings. */
  cosine: number;
  /**
   * Both subjects name people or things and no name is shared ("Kemi's birthday" / "Liam's
   * birthday"), or both say whose it is and the owners differ ("My dog" / "My neighbour's dog").
   */
  namesConflict: number;
  /** b says it replaces a value ("moved to", "now") and a does not. */
  update: number;
  /**
   * Each holds a value (number, time, month, weekday) the other lacks, and b is no update ("$600
   * groceries" / "$150 entertainment"). A value only one side states ("every Friday" / "Fridays at
   * 12:00") is a detail added, not a conflict.
   */
  numbersDiffer: number;
  /**
   * One slot swapped: the statements are the same words except one span, the swapped spans hold
   * content words, and neither is an update ("allergic to peanuts" / "allergic to cats"). The
   * share of the longer statement that is shared (0 when not a swap).
   */
  slotSwap: number;
  /** The subjects share their head noun but have different modifiers ("wedding budget" / "honeymoon budget"). */
  modifierConflict: number;
  /**
   * The share of the two statements' content words that have a counterpart in the other: the same
   * stem, or a WordNet synonym in one of its most frequent senses ("cilantro" / "coriander").
   */
  overlap: number;
}

export function pairFeatures(a: string, b: string, cosine: number): PairFeatures {
  const na = subjectNames(a);
  const nb = subjectNames(b);
  const oa = subjectOwner(a);
  const ob = subjectOwner(b);
  const namesConflict = (na.size > 0 && nb.size > 0 && ![...na].some((n) => nb.has(n))) || (oa !== undefined && ob !== undefined && oa !== ob) ? 1 : 0;
  const update = UPDATE.test(b) && !UPDATE.test(a) ? 1 : 0;
  const wa = words(a);
  const wb = words(b);
  const numA = numbersOf(a, wa);
  const numB = numbersOf(b, wb);
  const numbersDiffer = !update && [...numB].some((n) => !numA.has(n)) && [...numA].some((n) => !numB.has(n)) ? 1 : 0;
  let pre = 0;
  while (pre < wa.length && pre < wb.length && wa[pre] === wb[pre]) pre++;
  let suf = 0;
  while (suf < wa.length - pre && suf < wb.length - pre && wa[wa.length - 1 - suf] === wb[wb.length - 1 - suf]) suf++;
  const spanA = wa.slice(pre, wa.length - suf);
  const spanB = wb.slice(pre, wb.length - suf);
  const swapped = (span: string[]) => span.some((w) => !STOP.has(w) && !VERBS.has(w)) && !span.some((w) => UPDATE_WORD.test(w));
  // Spans that are synonyms ("coriander" / "cilantro") say the same value: no swap.
  const synonymous = synonymOverlap(contentWords(spanA), contentWords(spanB)) === 1;
  const slotSwap = !update && swapped(spanA) && swapped(spanB) && !synonymous ? (pre + suf) / Math.max(wa.length, wb.length) : 0;
  const subjA = subjectOf(a).map((w) => stem(w.toLowerCase().replace(/['’]s$/, ''))).filter((w) => !STOP.has(w) && !UPDATE_WORD.test(w));
  const subjB = subjectOf(b).map((w) => stem(w.toLowerCase().replace(/['’]s$/, ''))).filter((w) => !STOP.has(w) && !UPDATE_WORD.test(w));
  const modA = subjA.slice(0, -1);
  const modB = subjB.slice(0, -1);
  const modifierConflict =
    subjA.length > 1 && subjB.length > 1 && subjA.length < wa.length && subjA.at(-1) === subjB.at(-1) && !modA.some((m) => modB.includes(m)) ? 1 : 0;
  const overlap = synonymOverlap(contentWords(wa), contentWords(wb));
  return { cosine, namesConflict, update, numbersDiffer, slotSwap, modifierConflict, overlap };
}

export const FEATURES: (keyof PairFeatures)[] = ['cosine', 'namesConflict', 'update', 'numbersDiffer', 'slotSwap', 'modifierConflict', 'overlap'];

/** Which way each feature argues: 1 for "same topic", -1 against. The fitting keeps weights to these signs. */
export const FEATURE_SIGNS: Record<keyof PairFeatures, 1 | -1> = { cosine: 1, namesConflict: -1, update: 1, numbersDiffer: -1, slotSwap: -1, modifierConflict: -1, overlap: 1 };

/** Content words with a counterpart (same stem or a WordNet synonym) in the other, over all content words. */
function synonymOverlap(ca: string[], cb: string[]): number {
  const sa = ca.map(synsetsOf);
  const sb = cb.map(synsetsOf);
  const ta = ca.map(stem);
  const tb = cb.map(stem);
  const meets = (i: number, j: number) => {
    if (ta[i] === tb[j]) return true;
    for (const s of sa[i]!) if (sb[j]!.has(s)) return true;
    return false;
  };
  const matchedA = ca.filter((_x, i) => cb.some((_y, j) => meets(i, j))).length;
  const matchedB = cb.filter((_y, j) => ca.some((_x, i) => meets(i, j))).length;
  return (matchedA + matchedB) / Math.max(1, ca.length + cb.length);
}

export interface SameTopicDecision {
  same: boolean;
  /** Why, in a few words (for plans shown to a person and for debugging). */
  reason: string;
}

/**
 * The decision's weights: same topic when bias + sum(weight x feature) > 0 (a logistic model).
 * Fitted by `bench/memory-search.ts --fit-merge` on all 225 labelled pairs under e5-small-v2 (the
 * default embedder), each weight kept to its FEATURE_SIGNS sign; the features were chosen by
 * cross-validation, and the bench prints the held-out set, which none of it saw, beside it.
 */
export const SAME_TOPIC = {
  bias: -4.21,
  weights: { cosine: 6.72, namesConflict: -3.24, update: 1.94, numbersDiffer: -1.8, slotSwap: -6.76, modifierConflict: -1.34, overlap: 2.75 } as Record<keyof PairFeatures, number>,
};

export type SameTopicThresholds = typeof SAME_TOPIC;

export function sameTopicScore(f: PairFeatures, t: SameTopicThresholds = SAME_TOPIC): number {
  return FEATURES.reduce((sum, k) => sum + t.weights[k] * f[k], t.bias);
}

export function sameTopic(a: string, b: string, cosine: number, t: SameTopicThresholds = SAME_TOPIC): SameTopicDecision {
  const f = pairFeatures(a, b, cosine);
  const score = sameTopicScore(f, t);
  const signs = FEATURES.filter((k) => k !== 'cosine' && f[k] > 0 && k !== 'overlap').join(', ');
  const why = `cosine ${cosine.toFixed(2)}, overlap ${f.overlap.toFixed(2)}${signs ? `, ${signs}` : ''}`;
  return score > 0 ? { same: true, reason: `same topic (${why})` } : { same: false, reason: `another topic (${why})` };
}
