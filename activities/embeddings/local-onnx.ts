/**
 * A local sentence-embedding model (local-models.ts) on onnxruntime-node, offline: WordPiece ids
 * (tokenized here) -> the model in worker threads (onnx-threads.ts: a session each, queries from
 * concurrent callers batched together) -> the model's pooling ([CLS] or the mean over real
 * tokens) -> unit length, which is what sentence-transformers does.
 */
import type { EmbedPurpose, Embedder } from './port';
import { findLocalModelFiles, localModelSpec, type LocalModelFiles, type LocalModelSpec } from './local-models';
import { OnnxThreads } from './onnx-threads';
import { WordPieceTokenizer } from './wordpiece';

export class LocalOnnxEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;

  private constructor(
    private readonly spec: LocalModelSpec,
    private readonly threads: OnnxThreads,
    private readonly tokenizer: WordPieceTokenizer,
  ) {
    this.model = spec.name;
    this.dimension = spec.dimension;
  }

  /** Inference calls made and texts embedded (for benchmarks: texts per call shows the batching). */
  get stats(): { calls: number; texts: number } {
    return this.threads.stats;
  }

  /** The model PAR_LOCAL_EMBEDDING_MODEL names (default e5-small-v2), or `spec` with its installed files. */
  static async create(spec: LocalModelSpec = localModelSpec(), files: LocalModelFiles = findLocalModelFiles(spec), env: NodeJS.ProcessEnv = process.env): Promise<LocalOnnxEmbedder> {
    const tokenizer = WordPieceTokenizer.fromTokenizerJson(files.tokenizer);
    const threads = await OnnxThreads.start({ model: files.model, label: 'the local embedding model', output: 'pooled', pooling: spec.pooling }, env);
    return new LocalOnnxEmbedder(spec, threads, tokenizer);
  }

  /** Token ids of a text as the model sees it (for chunk sizing and tests). */
  tokenize(text: string): number[] {
    return this.tokenizer.encode(text, this.spec.maxTokens).ids;
  }

  embed(texts: string[], purpose: EmbedPurpose = 'document'): Promise<Float32Array[]> {
    const prefix = this.spec.prefixes?.[purpose];
    return this.threads.run(texts.map((t) => ({ ids: this.tokenize(prefix ? prefix + t : t) })));
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}
