/**
 * The reranker port: a second opinion on a search's best candidates. A cross-encoder reads the
 * query and each candidate together, which a vector (each text embedded alone) cannot, and costs a
 * model call per candidate, so it runs over the first few of the store's ranking only (stage.ts).
 * Adapter: a local ONNX cross-encoder (local-cross-encoder.ts), off unless PAR_RERANK_MODEL names
 * one (config.ts).
 */
export interface Reranker {
  /** e.g. "local:ms-marco-MiniLM-L-6-v2" (the model folder's name). */
  readonly model: string;
  /** One relevance score per passage, in order: higher is more relevant (a logit, not a probability). */
  score(query: string, passages: string[]): Promise<number[]>;
  close?(): Promise<void>;
}
