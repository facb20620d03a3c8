/**
 * A local cross-encoder on onnxruntime-node, offline: each (query, passage) pair as BERT reads
 * pairs ([CLS] query [SEP] passage [SEP], segments 0 and 1), its first logit the score, as
 * sentence-transformers' CrossEncoder does for ms-marco models. The pairs of one reranking are
 * spread over the model threads (onnx-threads.ts), so they use every core.
 */
import { OnnxThreads } from '../embeddings/onnx-threads';
import { WordPieceTokenizer } from '../embeddings/wordpiece';
import type { RerankerConfig } from './config';
import type { Reranker } from './port';

/** BERT's position limit: a longer pair loses the end of its longer text. */
const MAX_TOKENS = 512;

export class LocalCrossEncoder implements Reranker {
  readonly model: string;

  private constructor(
    name: string,
    private readonly threads: OnnxThreads,
    private readonly tokenizer: WordPieceTokenizer,
  ) {
    this.model = `local:${name}`;
  }

  static async create(config: Pick<RerankerConfig, 'model' | 'tokenizer' | 'name'>, env: NodeJS.ProcessEnv = process.env): Promise<LocalCrossEncoder> {
    const tokenizer = WordPieceTokenizer.fromTokenizerJson(config.tokenizer);
    const threads = await OnnxThreads.start({ model: config.model, label: 'the local reranking model', output: 'logits', spread: true }, env);
    return new LocalCrossEncoder(config.name, threads, tokenizer);
  }

  /** Inference calls made and pairs scored. */
  get stats(): { calls: number; texts: number } {
    return this.threads.stats;
  }

  async score(query: string, passages: string[]): Promise<number[]> {
    if (passages.length === 0) return [];
    const rows = await this.threads.run(passages.map((p) => this.tokenizer.encodePair(query, p, MAX_TOKENS)));
    return rows.map((r) => r[0]!);
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}
