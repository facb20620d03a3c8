/**
 * Wraps any embedder with an LRU cache keyed by text and fixed-size batches, so repeated texts
 * (a query asked twice, unchanged chunks) are embedded once and a huge list never goes to the
 * model or the API in one call.
 */
import { LruCache } from './lru';
import type { EmbedPurpose, Embedder } from './port';

export interface CachedEmbedderOptions {
  cacheSize?: number;
  batchSize?: number;
  /** Shared by every service of the process: close() leaves the model loaded for the others. */
  shared?: boolean;
}

export class CachedEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private readonly cache: LruCache<string, Float32Array>;
  private readonly batchSize: number;
  private readonly shared: boolean;
  hits = 0;
  misses = 0;

  constructor(
    readonly inner: Embedder,
    opts: CachedEmbedderOptions = {},
  ) {
    this.model = inner.model;
    this.dimension = inner.dimension;
    this.cache = new LruCache(opts.cacheSize ?? 10_000);
    this.batchSize = opts.batchSize ?? 64;
    this.shared = opts.shared ?? false;
  }

  async embed(texts: string[], purpose: EmbedPurpose = 'document'): Promise<Float32Array[]> {
    const out = new Array<Float32Array | undefined>(texts.length);
    const missing = new Map<string, number[]>();
    // A query and a document of the same text may embed differently: they are cached apart.
    const key = (t: string) => (purpose === 'query' ? `\u0001${t}` : t);
    texts.forEach((t, i) => {
      const hit = this.cache.get(key(t));
      if (hit) {
        out[i] = hit;
        this.hits++;
      } else {
        const at = missing.get(t);
        if (at) at.push(i);
        else missing.set(t, [i]);
      }
    });
    const todo = [...missing.keys()];
    this.misses += todo.length;
    for (let b = 0; b < todo.length; b += this.batchSize) {
      const batch = todo.slice(b, b + this.batchSize);
      const vectors = await this.inner.embed(batch, purpose);
      if (vectors.length !== batch.length) throw new Error(`${this.model} returned ${vectors.length} vectors for ${batch.length} texts`);
      batch.forEach((t, k) => {
        const v = vectors[k]!;
        if (v.length !== this.dimension) throw new Error(`${this.model} returned a ${v.length}-d vector, expected ${this.dimension}`);
        this.cache.set(key(t), v);
        for (const i of missing.get(t)!) out[i] = v;
      });
    }
    return out as Float32Array[];
  }

  async close(): Promise<void> {
    if (this.shared) return;
    await this.inner.close?.();
  }
}
