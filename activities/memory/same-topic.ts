/**
 * The Memory Vault's same-topic decision: does a new memory update an existing entry (the same
 * subject and attribute, said again or with a new value) or is it a memory of its own? Cosine
 * alone cannot tell "The Lisbon trip budget is $2,000" from "The office party budget is $500"
 * (close in meaning, different budgets) while missing plain paraphrases. So the decision also
 * reads the statements' subjects (the words before the first verb): different named subjects
 * ("Kemi's birthday" / "Liam's birthday") never merge, a statement that says it replaces a value
 * ("moved to", "now") merges from a lower similarity, and otherwise cosine decides. Measured on
 * test/data/memory-merge-pairs.json by bench/memory-search.ts (precision, recall, F1); comparing
 * the subjects' other words as well was measured and lowered F1, so it is not used.
 */

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

/** Words that say a statement replaces an earlier value ("now", "moved to", "switched"). */
const UPDATE = /\b(now|new|no longer|anymore|moved|switched|changed?|raised|slipped|migrated|went up|went down|instead|updated?|from now on)\b/i;


export interface SameTopicDecision {
  same: boolean;
  /** Why, in a few words (for plans shown to a person and for debugging). */
  reason: string;
}

/** Thresholds of the decision (see the module comment). */
export const SAME_TOPIC = {
  /** At or above this cosine, a pair without conflicting subject names is the same topic. */
  similar: 0.7,
  /** A statement saying it replaces a value ("moved to", "now") needs at least this cosine. */
  update: 0.5,
};

export type SameTopicThresholds = typeof SAME_TOPIC;

export function sameTopic(a: string, b: string, cosine: number, t: SameTopicThresholds = SAME_TOPIC): SameTopicDecision {
  const na = subjectNames(a);
  const nb = subjectNames(b);
  if (na.size > 0 && nb.size > 0 && ![...na].some((n) => nb.has(n))) return { same: false, reason: `different subjects (${[...na].join(' ')} / ${[...nb].join(' ')})` };
  // A statement that says it replaces an earlier value ("moved to", "now", "switched") is the same thing.
  if (UPDATE.test(b) && !UPDATE.test(a) && cosine >= t.update) return { same: true, reason: `an update of the same thing (cosine ${cosine.toFixed(2)})` };
  return cosine >= t.similar
    ? { same: true, reason: `similar (cosine ${cosine.toFixed(2)})` }
    : { same: false, reason: `not similar enough (cosine ${cosine.toFixed(2)})` };
}
