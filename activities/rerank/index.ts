/**
 * The rerank stage a process uses: a local cross-encoder when PAR_RERANK_MODEL names one
 * (config.ts), else none. Loaded once per process and configuration, as the embedder is.
 */
import { rerankerConfig } from './config';
import { LocalCrossEncoder } from './local-cross-encoder';
import { RerankStage } from './stage';

export type { Reranker } from './port';
export { DEFAULT_RERANK_CANDIDATES, RerankerConfigError, rerankerConfig } from './config';
export { LocalCrossEncoder } from './local-cross-encoder';
export { RerankStage } from './stage';

const shared = new Map<string, Promise<RerankStage | undefined>>();

/** The configured rerank stage, or undefined; a bad PAR_RERANK_MODEL or PAR_RERANK_CANDIDATES throws RerankerConfigError at once. */
export async function sharedRerankStage(env: NodeJS.ProcessEnv = process.env): Promise<RerankStage | undefined> {
  const config = rerankerConfig(env);
  if (!config) return undefined;
  const key = [config.model, config.candidates].join('\0');
  let stage = shared.get(key);
  if (!stage) {
    stage = LocalCrossEncoder.create(config, env).then((reranker) => new RerankStage(reranker, config.candidates));
    // A failed load is not remembered, so a later call (after fixing the files) can succeed.
    stage.catch(() => shared.delete(key));
    shared.set(key, stage);
  }
  return stage;
}
