/**
 * The embedder port. Adapters: a local ONNX model (default bge-small-en-v1.5, offline) and OpenAI
 * embeddings (when OPENAI_API_KEY is set). `model` and `dimension` are recorded with every stored
 * vector so a vault never mixes models.
 */
export interface Embedder {
  /** e.g. "local:bge-small-en-v1.5" or "openai:text-embedding-3-small". */
  readonly model: string;
  readonly dimension: number;
  /** Unit-length vectors, one per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Releases a model thread or connection, if the adapter holds one. */
  close?(): Promise<void>;
}
