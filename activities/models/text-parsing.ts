/** Sentences of a text: split after . ! ? (not inside numbers like 3.5) and at line breaks. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[^\s])|\n+/)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** Sentences, then their clauses (split at , ; : and "but"/"and"), for extracting a short span. */
export function splitSpans(text: string): string[] {
  const spans: string[] = [];
  for (const sentence of splitSentences(text)) {
    spans.push(sentence);
    const clauses = sentence
      .split(/[,;:]\s+|\s+(?:but|and)\s+/i)
      .map((c) => c.trim().replace(/[.!?]+$/, ''))
      .filter((c) => /[\p{L}\p{N}]/u.test(c));
    if (clauses.length > 1) spans.push(...clauses);
  }
  return spans;
}

const UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1_000, million: 1_000_000, billion: 1_000_000_000 };

export interface FoundNumber {
  value: number;
  /** The text it was read from. */
  text: string;
  index: number;
}

/**
 * Numbers written in digits ("1,250.50", "-3", "2.5k" is not read) or in English words
 * ("twenty five", "three hundred", "a dozen"), in order of appearance.
 */
export function findNumbers(text: string): FoundNumber[] {
  const found: FoundNumber[] = [];
  const digit = /(?<![\p{L}\d.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])/gu;
  for (const m of text.matchAll(digit)) found.push({ value: Number(m[0].replace(/,/g, '')), text: m[0], index: m.index! });
  const wordRun = /\b(?:(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|a dozen)(?:[\s-]+(?:and[\s-]+)?)?)+/gi;
  for (const m of text.matchAll(wordRun)) {
    const value = wordsToNumber(m[0]);
    if (value !== undefined) found.push({ value, text: m[0].trim(), index: m.index! });
  }
  return found.sort((a, b) => a.index - b.index);
}

function wordsToNumber(phrase: string): number | undefined {
  const words = phrase.toLowerCase().split(/[\s-]+/).filter((w) => w && w !== 'and');
  if (words.length === 0) return undefined;
  if (words.join(' ') === 'a dozen' || words.join(' ') === 'dozen') return 12;
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words) {
    if (w in UNITS) {
      current += UNITS[w]!;
      seen = true;
    } else if (w === 'hundred') {
      current = (current || 1) * 100;
      seen = true;
    } else if (w in SCALES) {
      total += (current || 1) * SCALES[w]!;
      current = 0;
      seen = true;
    } else if (w === 'dozen') {
      current = (current || 1) * 12;
      seen = true;
    } else if (w !== 'a') return undefined;
  }
  return seen ? total + current : undefined;
}

const YES = /^(yes|yeah|yep|yup|sure|correct|right|ok|okay|absolutely|definitely|of course|certainly|affirmative|y)\b/i;
const NO = /^(no|nope|nah|not really|never|negative|n)\b/i;

/** A plain yes or no answer ("Yes, please", "nope") as a boolean; undefined for anything else. */
export function parseYesNo(message: string): boolean | undefined {
  const m = message.trim().replace(/^["'(]+/, '');
  if (m.split(/\s+/).length > 6) return undefined;
  if (NO.test(m)) return false;
  if (YES.test(m)) return true;
  return undefined;
}

/**
 * A rough token count (about 4 characters per token for English with the common BPE
 * vocabularies). Used for history trimming and for the local model's usage figures; the
 * providers' own counts are used whenever a provider reports them.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
