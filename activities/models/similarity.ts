import { cosineScale, type CosineScale } from '../embeddings/cosine-scale';
import type { Embedder } from '../embeddings/port';

/**
 * How relevant texts are to a query, for the local:extractive model. Two real methods:
 * embedding cosine (the default, with the process's local embedder, on all-MiniLM-L6-v2's scale
 * whatever the model: cosine-scale.ts) and lexical TF-IDF cosine (no model files needed). Their scores live on different scales, so each carries its
 * own thresholds.
 */
export interface TextSimilarity {
  /** e.g. "embedding:local:all-MiniLM-L6-v2" or "lexical:tf-idf". */
  readonly method: string;
  /** A sentence scoring at least this is taken as relevant to the query. */
  readonly relevantAt: number;
  /** One score per text, higher is more similar. */
  scores(query: string, texts: string[]): Promise<number[]>;
}

/**
 * Cosine of unit-length embeddings (the Embedder port promises unit length, so a dot product) of
 * the query (embedded as a query) and each text (as a passage), mapped onto the reference model's
 * scale (cosine-scale.ts), so one threshold means the same under every local model.
 */
export class EmbeddingSimilarity implements TextSimilarity {
  readonly method: string;
  // On all-MiniLM-L6-v2's scale, a paraphrase of the question typically scores 0.4 to 0.8 and
  // unrelated text stays below 0.2. 0.3 keeps loosely related sentences out of quoted answers.
  readonly relevantAt = 0.3;
  private readonly scale: CosineScale;

  constructor(private readonly embedder: Embedder) {
    this.method = `embedding:${embedder.model}`;
    this.scale = cosineScale(embedder.model, 'query');
  }

  async scores(query: string, texts: string[]): Promise<number[]> {
    if (texts.length === 0) return [];
    const [[q], vectors] = await Promise.all([this.embedder.embed([query], 'query'), this.embedder.embed(texts, 'document')]);
    return vectors.map((v) => this.scale.toReference(dot(q!, v)));
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const STOPWORDS = new Set(
  (
    'a an and are as at be but by can could did do does for from had has have how i if in into is it its me my no not of on or our ' +
    'so than that the their them then there these they this to was we were what when where which who why will with would you your ' +
    'about any all am been being he her him his she us user users message'
  ).split(' '),
);

/** Lower-cased word stems without stopwords: "Refunds" and "refund" meet, "the" never counts. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOPWORDS.has(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('es') && /(ch|sh|x|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/**
 * TF-IDF cosine with the query and texts as the corpus: words the texts share with the query
 * count, rarer ones count more. It matches words, not meanings, so paraphrases score low.
 */
export class LexicalSimilarity implements TextSimilarity {
  readonly method = 'lexical:tf-idf';
  readonly relevantAt = 0.1;

  async scores(query: string, texts: string[]): Promise<number[]> {
    const docs = [query, ...texts].map(terms);
    const df = new Map<string, number>();
    for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
    const n = docs.length;
    const vector = (doc: string[]) => {
      const tf = new Map<string, number>();
      for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
      const v = new Map<string, number>();
      let norm = 0;
      for (const [t, c] of tf) {
        const w = (1 + Math.log(c)) * Math.log(1 + n / df.get(t)!);
        v.set(t, w);
        norm += w * w;
      }
      return { v, norm: Math.sqrt(norm) };
    };
    const q = vector(docs[0]!);
    return docs.slice(1).map((doc) => {
      const d = vector(doc);
      if (q.norm === 0 || d.norm === 0) return 0;
      let s = 0;
      for (const [t, w] of q.v) s += w * (d.v.get(t) ?? 0);
      return s / (q.norm * d.norm);
    });
  }
}
