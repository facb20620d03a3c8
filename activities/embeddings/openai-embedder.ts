/** OpenAI embeddings (text-embedding-3-small by default), used when configured and OPENAI_API_KEY is set. */
import type OpenAI from 'openai';
import type { Embedder } from './port';

const DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export interface OpenAiEmbedderOptions {
  apiKey: string;
  model?: string;
  baseURL?: string;
  /** Requested output size (text-embedding-3 models can shorten their vectors). */
  dimensions?: number;
}

export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private readonly client: OpenAI;
  private readonly apiModel: string;
  private readonly requestDimensions?: number;

  constructor(opts: OpenAiEmbedderOptions) {
    this.apiModel = opts.model ?? 'text-embedding-3-small';
    const native = DIMENSIONS[this.apiModel];
    if (!native && !opts.dimensions) throw new Error(`unknown OpenAI embedding model ${this.apiModel}: give its dimension`);
    this.dimension = opts.dimensions ?? native!;
    this.requestDimensions = opts.dimensions;
    this.model = `openai:${this.apiModel}${opts.dimensions ? `@${opts.dimensions}` : ''}`;
    // Loaded here, not at the top: a process on the local embedder never loads the OpenAI SDK.
    const { OpenAI: OpenAIClient } = require('openai') as typeof import('openai');
    this.client = new OpenAIClient({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: 2 });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    // The API rejects empty strings; an empty text has no meaning to embed, so it gets a zero vector.
    const nonEmpty = texts.map((t, i) => ({ t, i })).filter((e) => e.t.trim() !== '');
    const out = texts.map(() => new Float32Array(this.dimension));
    if (nonEmpty.length === 0) return out;
    const res = await this.client.embeddings.create({
      model: this.apiModel,
      input: nonEmpty.map((e) => e.t),
      encoding_format: 'float',
      ...(this.requestDimensions ? { dimensions: this.requestDimensions } : {}),
    });
    for (const d of res.data) {
      const v = Float32Array.from(d.embedding);
      if (v.length !== this.dimension) throw new Error(`${this.model} returned a ${v.length}-d vector, expected ${this.dimension}`);
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < v.length; k++) v[k]! /= norm;
      out[nonEmpty[d.index]!.i] = v;
    }
    return out;
  }
}
