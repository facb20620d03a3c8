/**
 * The embedder port. Adapters: a local ONNX model (default e5-small-v2, offline) and OpenAI
 * embeddings (when OPENAI_API_KEY is set). `model` and `dimension` are recorded with every stored
 * vector so a vault never mixes models.
 */
/**
 * What a text is for. Models trained with instructions (e5) embed a search query differently
 * from the passages it should find; symmetric models ignore it. Default: "document".
 */
export type EmbedPurpose = 'query' | 'document';

export interface Embedder {
  /** e.g. "local:e5-small-v2" or "openai:text-embedding-3-small". */
  readonly model: string;
  readonly dimension: number;
  /** Unit-length vectors, one per text, in order. */
  embed(texts: string[], purpose?: EmbedPurpose): Promise<Float32Array[]>;
  /** Releases a model thread or connection, if the adapter holds one. */
  close?(): Promise<void>;
}
