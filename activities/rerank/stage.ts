/**
 * The rerank stage of a search: the store's first `candidates` hits rescored by the reranker and
 * put in its order; hits past them keep the store's order behind them. A search asks the store for
 * at least `candidates` hits (fetchLimit) so the stage has its candidates even when the caller
 * wants fewer.
 */
import type { Reranker } from './port';

export class RerankStage {
  constructor(
    readonly reranker: Reranker,
    readonly candidates: number,
  ) {}

  /** How many hits a search wanting n should ask the store for. */
  fetchLimit(n: number): number {
    return Math.max(n, this.candidates);
  }

  /** The first n hits in the stage's order, each reranked one with its `rerankScore`. */
  async topN<T extends object>(query: string, hits: T[], n: number, textOf: (hit: T) => string): Promise<(T & { rerankScore?: number })[]> {
    if (hits.length === 0) return [];
    const head = hits.slice(0, this.candidates);
    const scores = await this.reranker.score(query, head.map(textOf));
    // Ties keep the store's order (sort is stable).
    const rescored = head.map((hit, i) => ({ ...hit, rerankScore: scores[i]! })).sort((a, b) => b.rerankScore - a.rerankScore);
    return [...rescored, ...hits.slice(this.candidates)].slice(0, n);
  }
}
