import { createHash } from 'node:crypto';
import type { Embedder } from '../embeddings/port';
import type { VectorStore } from '../vectors/port';

/**
 * One kind of memory's vectors: a collection named after the kind and the embedding model
 * (so vectors of different models never mix), created on first use.
 */
export class VectorSpace {
  readonly collection: string;
  private ready: Promise<void> | undefined;

  constructor(
    readonly kind: string,
    readonly embedder: Embedder,
    readonly store: VectorStore,
  ) {
    const model = embedder.model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
    this.collection = `par_${kind}__${model}__${embedder.dimension}`;
  }

  /** Resolves once the collection exists; safe to call before every operation. */
  ensure(): Promise<void> {
    this.ready ??= this.store.ensureCollection(this.collection, this.embedder.dimension).catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async embedOne(text: string): Promise<Float32Array> {
    const [v] = await this.embedder.embed([text]);
    return v;
  }
}

/**
 * A UUID derived from its parts. Vector ids must be UUIDs (Qdrant accepts nothing else), and a
 * derived id makes re-indexing the same chunk an overwrite instead of a duplicate.
 */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Shape it as an RFC 4122 version-5-style id so strict parsers accept it.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
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
