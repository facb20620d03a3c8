import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDefaultEmbedder, type Embedder } from '../../activities/embeddings';
import { createMemoryServices, type MemoryDeps, type MemoryServices } from '../../activities/memory/services';
import { createDefaultVectorStore, EmbeddedVectorStore } from '../../activities/vectors';

let embedder: Promise<Embedder> | undefined;

/** The real local embedder, loaded once per test file. */
export function sharedEmbedder(): Promise<Embedder> {
  return (embedder ??= createDefaultEmbedder());
}

/**
 * Memory services over a fresh temporary folder, with the real default embedder and the
 * embedded vector store (or Qdrant when QDRANT_URL is set, so the same tests cover it).
 */
export async function memoryTestServices(deps: Omit<MemoryDeps, 'embedder' | 'vectorStore' | 'dbFile'> = {}): Promise<MemoryServices & { dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-memory-'));
  const vectorStore = process.env.QDRANT_URL ? await createDefaultVectorStore() : new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite'));
  const services = await createMemoryServices({ ...deps, embedder: await sharedEmbedder(), vectorStore, dbFile: path.join(dir, 'memory.sqlite') });
  return {
    ...services,
    dir,
    async close() {
      await services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tenant name no other test (or earlier run against a shared Qdrant) has used. */
export function freshTenant(label: string): string {
  return `${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
