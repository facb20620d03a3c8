import { EmbeddingSimilarity, LexicalSimilarity, type TextSimilarity } from './similarity';

/**
 * The similarity the offline model uses: cosine over the process's default embedder (the local
 * model, e5-small-v2 unless PAR_LOCAL_EMBEDDING_MODEL names another; on all-MiniLM-L6-v2's scale
 * whatever the model, so its threshold holds) unless PAR_EXTRACTIVE_SIMILARITY=lexical. When the embedding model is not
 * installed it falls back to lexical TF-IDF and says so once on stderr; every decision's
 * reason names the method that made it.
 */
export async function createDefaultSimilarity(env: NodeJS.ProcessEnv = process.env): Promise<TextSimilarity> {
  if ((env.PAR_EXTRACTIVE_SIMILARITY ?? '').toLowerCase() === 'lexical') return new LexicalSimilarity();
  try {
    // require, not import(): under tsx a dynamic import is native ESM, which cannot load a folder.
    const { sharedDefaultEmbedder } = require('../embeddings') as typeof import('../embeddings');
    return new EmbeddingSimilarity(await sharedDefaultEmbedder(env));
  } catch (err) {
    process.stderr.write(`par: local:extractive uses lexical TF-IDF similarity because the embedder is unavailable: ${(err as Error).message}\n`);
    return new LexicalSimilarity();
  }
}
