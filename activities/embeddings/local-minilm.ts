/**
 * all-MiniLM-L6-v2 on onnxruntime-node, offline: WordPiece ids -> last hidden state ->
 * mean over real tokens -> unit length (what sentence-transformers does for this model).
 */
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import type { Embedder } from './port';
import { findLocalModelFiles, type LocalModelFiles } from './model-files';
import { WordPieceTokenizer } from './wordpiece';

export const LOCAL_MODEL_NAME = 'local:all-MiniLM-L6-v2';
const DIMENSION = 384;
/** sentence-transformers' max_seq_length for this model; longer text is truncated. */
const MAX_TOKENS = 256;
/** Texts per inference call: bounds the padded tensor's memory. */
const BATCH = 32;

export class LocalMiniLmEmbedder implements Embedder {
  readonly model = LOCAL_MODEL_NAME;
  readonly dimension = DIMENSION;

  private constructor(
    private readonly session: OrtSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly ort: typeof import('onnxruntime-node'),
  ) {}

  static async create(files: LocalModelFiles = findLocalModelFiles()): Promise<LocalMiniLmEmbedder> {
    // Loaded on demand so processes that never embed do not pay for the native library.
    const ort = await import('onnxruntime-node');
    const threads = Number(process.env.PAR_EMBEDDING_THREADS) || undefined;
    const session = await ort.InferenceSession.create(files.model, {
      ...(threads ? { intraOpNumThreads: threads } : {}),
      graphOptimizationLevel: 'all',
    });
    return new LocalMiniLmEmbedder(session, WordPieceTokenizer.fromTokenizerJson(files.tokenizer), ort);
  }

  /** Token ids of a text as the model sees it (for chunk sizing and tests). */
  tokenize(text: string): number[] {
    return this.tokenizer.encode(text, MAX_TOKENS).ids;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(texts.length);
    const encoded = texts.map((t, i) => ({ i, ids: this.tokenize(t) }));
    // Similar lengths together: less padding per batch.
    encoded.sort((a, b) => a.ids.length - b.ids.length);
    for (let b = 0; b < encoded.length; b += BATCH) {
      const batch = encoded.slice(b, b + BATCH);
      const vectors = await this.run(batch.map((e) => e.ids));
      batch.forEach((e, k) => (out[e.i] = vectors[k]!));
    }
    return out;
  }

  private async run(batch: number[][]): Promise<Float32Array[]> {
    const seq = Math.max(...batch.map((ids) => ids.length));
    const n = batch.length;
    const ids = new BigInt64Array(n * seq);
    const mask = new BigInt64Array(n * seq);
    batch.forEach((row, r) => {
      row.forEach((id, c) => {
        ids[r * seq + c] = BigInt(id);
        mask[r * seq + c] = 1n;
      });
    });
    const { Tensor } = this.ort;
    const result = await this.session.run({
      input_ids: new Tensor('int64', ids, [n, seq]),
      attention_mask: new Tensor('int64', mask, [n, seq]),
      token_type_ids: new Tensor('int64', new BigInt64Array(n * seq), [n, seq]),
    });
    const hidden = result.last_hidden_state!.data as Float32Array;
    const vectors: Float32Array[] = [];
    for (let r = 0; r < n; r++) {
      const v = new Float32Array(DIMENSION);
      const len = batch[r]!.length;
      for (let c = 0; c < len; c++) {
        const base = (r * seq + c) * DIMENSION;
        for (let d = 0; d < DIMENSION; d++) v[d]! += hidden[base + d]!;
      }
      let norm = 0;
      for (let d = 0; d < DIMENSION; d++) {
        v[d]! /= len;
        norm += v[d]! * v[d]!;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < DIMENSION; d++) v[d]! /= norm;
      vectors.push(v);
    }
    return vectors;
  }
}
