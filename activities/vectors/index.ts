/**
 * The vector store a process uses: Qdrant when QDRANT_URL is set (QDRANT_API_KEY optional),
 * else the embedded store in <data dir>/vectors.sqlite (with an approximate index for tenants of
 * 20,000+ rows unless PAR_VECTOR_ANN=off; PAR_VECTOR_ANN_MIN_ROWS moves the threshold).
 */
import path from 'node:path';
import { loadConfig } from '../../workers/config';
import { EmbeddedVectorStore } from './embedded-store';
import { annOptionsFromEnv } from './tenant-ann-index';
import type { VectorStore } from './port';

export type { VectorStore, VectorRecord, VectorHit, VectorQuery } from './port';
export { EmbeddedVectorStore } from './embedded-store';
export { VectorStoreError } from './errors';
export { collectionName } from './collection-name';

export async function createDefaultVectorStore(env: NodeJS.ProcessEnv = process.env): Promise<VectorStore> {
  if (env.QDRANT_URL) {
    // require, not import(): a dynamic import is native ESM, which the .ts require hook (bin/ts-hook.js) does not serve.
    const { QdrantVectorStore } = require('./qdrant-store') as typeof import('./qdrant-store');
    return new QdrantVectorStore({ url: env.QDRANT_URL, apiKey: env.QDRANT_API_KEY || undefined });
  }
  return new EmbeddedVectorStore(path.join(loadConfig(env).dataDir, 'vectors.sqlite'), annOptionsFromEnv(env));
}
