/**
 * An embedder whose model loads with the first text to embed. A local model's name and dimension
 * are in its spec, so a service can name its collections without the model: `par vault list`, a
 * delete, or a worker that embeds nothing never start the model's thread (about half a second and
 * 90 MB). A failed load is not remembered; the next call tries again.
 */
import type { EmbedPurpose, Embedder } from './port';

export class EmbedderClosedError extends Error {
  override name = 'EmbedderClosedError';
}

export class LazyEmbedder implements Embedder {
  private loading?: Promise<Embedder>;
  private closed = false;

  constructor(
    readonly model: string,
    readonly dimension: number,
    private readonly load: () => Promise<Embedder>,
  ) {}

  /** Whether the model has been asked to load (for tests and start-up messages). */
  get started(): boolean {
    return this.loading !== undefined;
  }

  async embed(texts: string[], purpose?: EmbedPurpose): Promise<Float32Array[]> {
    if (this.closed) throw new EmbedderClosedError(`the embedder ${this.model} is closed`);
    if (texts.length === 0) return [];
    if (!this.loading) {
      this.loading = this.load();
      this.loading.catch(() => (this.loading = undefined));
    }
    return (await this.loading).embed(texts, purpose);
  }

  async close(): Promise<void> {
    this.closed = true;
    const loading = this.loading;
    this.loading = undefined;
    const loaded = await loading?.catch(() => undefined);
    await loaded?.close?.();
  }
}
