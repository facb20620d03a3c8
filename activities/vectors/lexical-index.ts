/**
 * The lexical half of hybrid search: BM25 over terms (lower-cased words, stopwords dropped, a
 * light suffix stemmer), an incremental inverted index per tenant for the embedded store, the
 * term -> sparse-vector mapping the Qdrant adapter sends (Qdrant applies the IDF itself), and
 * weighted reciprocal rank fusion of the two rankings.
 */
import { TopK } from './vector-math';
const STOP = new Set(
  'a an and are as at be but by did do does for from had has have he her his how i in is it its me my of on or our she so that the their them they this to was we were what when where which who why will with you your'.split(
    ' ',
  ),
);

/** BM25's parameters, as in Lucene. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export function lexicalTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !STOP.has(t)).map((t) => (t.length > 4 ? t.replace(/(ing|ed|es|s)$/, '') : t));
}

/** An inverted index with BM25 scoring; documents are added and removed by slot key. */
export class LexicalIndex {
  private readonly postings = new Map<string, Map<string, number>>();
  private readonly lengths = new Map<string, number>();
  private readonly terms = new Map<string, string[]>();
  private totalLength = 0;

  get size(): number {
    return this.lengths.size;
  }

  add(id: string, text: string): void {
    if (this.lengths.has(id)) this.remove(id);
    const terms = lexicalTerms(text);
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, f] of tf) {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Map()));
      p.set(id, f);
    }
    this.lengths.set(id, terms.length);
    this.totalLength += terms.length;
    this.terms.set(id, [...tf.keys()]);
  }

  remove(id: string): void {
    const len = this.lengths.get(id);
    if (len === undefined) return;
    for (const t of this.terms.get(id) ?? []) {
      const p = this.postings.get(t);
      p?.delete(id);
      if (p && p.size === 0) this.postings.delete(t);
    }
    this.terms.delete(id);
    this.lengths.delete(id);
    this.totalLength -= len;
  }

  /** BM25 scores of the documents sharing a term with the query (unsorted). */
  scores(query: string, accept?: (id: string) => boolean): Map<string, number> {
    const n = this.lengths.size;
    const avg = this.totalLength / Math.max(1, n);
    const out = new Map<string, number>();
    for (const t of new Set(lexicalTerms(query))) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = Math.log(1 + (n - p.size + 0.5) / (p.size + 0.5));
      for (const [id, f] of p) {
        if (accept && !accept(id)) continue;
        const len = this.lengths.get(id)!;
        const s = (idf * f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * len) / avg));
        out.set(id, (out.get(id) ?? 0) + s);
      }
    }
    return out;
  }
}

/** A term's index in the sparse vector: 32-bit FNV-1a of the term. */
export function termIndex(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Average document length (in terms) assumed by the sparse document weights. */
const SPARSE_AVG_LEN = 24;

/**
 * A document's sparse vector for a store that applies IDF itself (Qdrant's `modifier: idf`): the
 * BM25 term-frequency part, with the length normalised against a fixed average.
 */
export function sparseDocument(text: string): { indices: number[]; values: number[] } {
  const terms = lexicalTerms(text);
  const tf = new Map<number, number>();
  for (const t of terms) tf.set(termIndex(t), (tf.get(termIndex(t)) ?? 0) + 1);
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * terms.length) / SPARSE_AVG_LEN);
  const entries = [...tf].sort((a, b) => a[0] - b[0]);
  return { indices: entries.map((e) => e[0]), values: entries.map(([, f]) => (f * (BM25_K1 + 1)) / (f + norm)) };
}

/** A query's sparse vector: each distinct term once. */
export function sparseQuery(text: string): { indices: number[]; values: number[] } {
  const indices = [...new Set(lexicalTerms(text).map(termIndex))].sort((a, b) => a - b);
  return { indices, values: indices.map(() => 1) };
}

/** How many candidates each ranking contributes to a hybrid query. */
export const HYBRID_CANDIDATES = 100;
/**
 * RRF's k and the lexical ranking's weight against the vector one. k is 10, not the original
 * paper's 60: the first places of each ranking count more. LoCoMo R@10 with e5-small-v2, all ten
 * conversations, each turn an item: 65.1 with k 60, 70.0 with k 10; turns with their neighbours
 * 72.3 -> 75.7 (k 10 was best of 10-120 on conversations 1-5; docs/vaults.md).
 */
export const RRF_K = 10;
export const LEXICAL_WEIGHT = 1;

/** Weighted reciprocal rank fusion: each key scores sum weight/(k + rank), best first (ties in order of first appearance). */
export function fuseRankings<T>(rankings: { keys: T[]; weight?: number }[], k = RRF_K): T[] {
  return fuseRankingsTop(rankings, Infinity, k).map((f) => f.key);
}

export interface Fused<T> {
  key: T;
  /** The key's 0-based place in each ranking, -1 where it is absent. */
  places: number[];
}

/**
 * fuseRankings' first `limit` keys, each with its place in every ranking, without sorting the
 * rest: a query returns a few of its hundreds of candidates.
 */
export function fuseRankingsTop<T>(rankings: { keys: T[]; weight?: number }[], limit: number, k = RRF_K): Fused<T>[] {
  const total = rankings.reduce((n, r) => n + r.keys.length, 0);
  const index = new Map<T, number>();
  const keys: T[] = [];
  const score = new Float64Array(total);
  const places = new Int32Array(total * rankings.length).fill(-1);
  rankings.forEach(({ keys: ranked, weight = 1 }, g) => {
    for (let r = 0; r < ranked.length; r++) {
      const key = ranked[r]!;
      let i = index.get(key);
      if (i === undefined) index.set(key, (i = keys.push(key) - 1));
      score[i] += weight / (k + r + 1);
      if (places[i * rankings.length + g] === -1) places[i * rankings.length + g] = r;
    }
  });
  let order: number[];
  if (limit >= keys.length) {
    order = keys.map((_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  } else {
    const top = new TopK<number>(limit);
    for (let i = 0; i < keys.length; i++) top.push(score[i]!, i);
    order = top.results().map((r) => r.item);
  }
  return order.map((i) => ({ key: keys[i]!, places: Array.from(places.subarray(i * rankings.length, (i + 1) * rankings.length)) }));
}
