import { onceUntilFailure } from '../common/once-until-failure';
import { collectionName } from '../vectors/collection-name';
import { cosineScale, type CosineScale } from '../embeddings/cosine-scale';
import { localModelNamed } from '../embeddings/local-models';
import type { Embedder } from '../embeddings/port';
import type { VectorRecord, VectorStore } from '../vectors/port';

/**
 * One kind of memory's vectors: a collection named after the kind and the embedding model
 * (so vectors of different models never mix), created on first use.
 */
export class VectorSpace {
  readonly collection: string;
  /**
   * The store's cosines on the reference scale that memory thresholds are written in
   * (cosine-scale.ts): of a query (embedQuery) against stored texts, and of two stored texts.
   */
  readonly queryScale: CosineScale;
  readonly documentScale: CosineScale;

  constructor(
    readonly kind: string,
    readonly embedder: Embedder,
    readonly store: VectorStore,
  ) {
    this.collection = collectionName(embedder.model, embedder.dimension, kind);
    this.queryScale = cosineScale(embedder.model, 'query');
    this.documentScale = cosineScale(embedder.model, 'document');
  }

  /** Resolves once the collection exists; safe to call before every operation. */
  readonly ensure = onceUntilFailure(() => this.store.ensureCollection(this.collection, this.embedder.dimension));

  async embedOne(text: string): Promise<Float32Array> {
    const [v] = await this.embedder.embed([text]);
    return v;
  }

  /** A search query's vector (see EmbedPurpose): what is stored is embedded with embedOne. */
  async embedQuery(text: string): Promise<Float32Array> {
    const [v] = await this.embedder.embed([text], 'query');
    return v;
  }

  /**
   * Embeds each row's texts again and writes the records made from them, a batch of rows at a time:
   * how every memory kind re-embeds itself from its database (`reindex()`, after a change of
   * model). Returns the number of rows.
   */
  async reembedRows<R>(rows: R[], textsOf: (row: R) => string[], recordsOf: (row: R, vectors: Float32Array[], texts: string[]) => VectorRecord[], batchSize = 64): Promise<number> {
    await this.ensure();
    for (let i = 0; i < rows.length; i += batchSize) {
      const batch = rows.slice(i, i + batchSize);
      const texts = batch.map(textsOf);
      const vectors = await this.embedder.embed(texts.flat());
      let at = 0;
      const records = batch.flatMap((row, j) => recordsOf(row, vectors.slice(at, (at += texts[j]!.length)), texts[j]!));
      await this.store.upsert(this.collection, records);
    }
    return rows.length;
  }
}

/**
 * Cosines, on the reference scale, of a statement with others it may restate (the Memory Vault's
 * same-topic decision). A model that embeds queries apart from passages (e5) compares two
 * statements with both embedded as queries, as it was trained to compare paraphrases; measured on
 * the labelled merge pairs this is what lets the same-topic weights carry over (docs/memory.md).
 * Other models embed every text alike, so the search's similarities (`searched`) are the answer.
 */
export async function statementSimilarities(embedder: Embedder, statement: string, others: string[], searched: number[]): Promise<number[]> {
  if (!others.length || !localModelNamed(embedder.model)?.prefixes) return searched;
  const [v, ...vs] = await embedder.embed([statement, ...others], 'query');
  const scale = cosineScale(embedder.model, 'symmetric');
  return vs.map((u) => scale.toReference(cosine(v!, u)));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
