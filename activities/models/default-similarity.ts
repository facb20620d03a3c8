import { EmbeddingSimilarity, LexicalSimilarity, type TextSimilarity } from './similarity';

/**
 * The similarity the offline model uses: cosine over the local all-MiniLM-L6-v2 model, whatever
 * the process's default local model (e5-small-v2), unless PAR_EMBEDDER=openai (OpenAI's model) or
 * PAR_EXTRACTIVE_SIMILARITY=lexical. Why MiniLM: the offline model decides by absolute thresholds
 * on one instruction against one message, and the example flows were written against MiniLM's
 * decisions; the cosine map of another model (cosine-scale.ts) is fitted on many pairs and is not
 * exact for one, so e5 turned "I ordered 5 days ago but have not received a tracking number" from
 * a support question (MiniLM 0.42) into none (0.24 mapped, threshold 0.3). It costs a second small
 * model in a process that uses the offline model. When the model is not installed it falls back
 * to lexical TF-IDF and says so once on stderr; every decision's reason names the method.
 */
export async function createDefaultSimilarity(env: NodeJS.ProcessEnv = process.env): Promise<TextSimilarity> {
  if ((env.PAR_EXTRACTIVE_SIMILARITY ?? '').toLowerCase() === 'lexical') return new LexicalSimilarity();
  try {
    // require, not import(): a dynamic import is native ESM, which cannot load a folder (nor a .ts file: bin/ts-hook.js serves require only).
    const { sharedDefaultEmbedder } = require('../embeddings') as typeof import('../embeddings');
    return new EmbeddingSimilarity(await sharedDefaultEmbedder({ ...env, PAR_LOCAL_EMBEDDING_MODEL: 'all-MiniLM-L6-v2', PAR_EMBEDDING_MODEL: undefined, PAR_EMBEDDING_TOKENIZER: undefined }));
  } catch (err) {
    process.stderr.write(`par: local:extractive uses lexical TF-IDF similarity because the embedder is unavailable: ${(err as Error).message}\n`);
    return new LexicalSimilarity();
  }
}
