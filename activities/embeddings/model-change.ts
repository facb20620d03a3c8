/**
 * What a change of local embedding model does to stored vectors: every kind of store (vault
 * items, Memory Vault entries, conversation turns, facts, ReasoningBank items) is copied from the
 * earlier model's collection into the new model's, re-embedded from its stored text
 * (vectors/reembed.ts). The worker runs this in the background at start; `par db reembed` runs
 * it in the foreground with progress.
 */
import { collectionName } from '../vectors/collection-name';
import { reembedFromEarlierModel, sameKind, type ReembedProgress, type ReembedResult } from '../vectors/reembed';
import type { VectorStore } from '../vectors/port';
import type { Embedder } from './port';
import type { MemoryServices } from '../memory/services';

/** The vector spaces of memory (memory/services.ts); vaults use the model's bare collection. */
export const MEMORY_SPACES = ['memory_vault', 'memory_conversations', 'memory_facts', 'memory_reasoning'] as const;

export interface StoreReembedResult extends ReembedResult {
  /** "vaults", or a memory space. */
  kind: string;
  collection: string;
  /** Entries re-embedded from the memory database instead (their old vectors kept no text). */
  reindexed?: number;
}

export interface ModelChangeOptions {
  store: VectorStore;
  embedder: Embedder;
  /**
   * Per memory kind, re-embeds it from the memory database: called when the earlier model's
   * vectors of that kind kept no text (written before vectors carried it). See memoryReindexers.
   */
  reindex?: Partial<Record<(typeof MEMORY_SPACES)[number], () => Promise<number>>>;
  onProgress?: (kind: string, p: ReembedProgress) => void;
  stopped?: () => boolean;
  /** Records re-embedded per step (default 64). */
  batchSize?: number;
}

export async function reembedStores(o: ModelChangeOptions): Promise<StoreReembedResult[]> {
  if (!o.embedder.model.startsWith('local:')) return [];
  const kinds: { kind: string; space?: (typeof MEMORY_SPACES)[number] }[] = [{ kind: 'vaults' }, ...MEMORY_SPACES.map((space) => ({ kind: space, space }))];
  const out: StoreReembedResult[] = [];
  const collections = await o.store.listCollections();
  for (const { kind, space } of kinds) {
    if (o.stopped?.()) break;
    const collection = collectionName(o.embedder.model, o.embedder.dimension, space);
    const result = await reembedFromEarlierModel({
      store: o.store,
      embedder: o.embedder,
      collection,
      isSameKind: sameKind(space),
      collections,
      onProgress: (p) => o.onProgress?.(kind, p),
      stopped: o.stopped,
      batchSize: o.batchSize,
    });
    const reindex = space ? o.reindex?.[space] : undefined;
    const reindexed = result.withoutText > 0 && reindex ? await reindex() : undefined;
    out.push({ kind, collection, ...result, ...(reindexed === undefined ? {} : { reindexed }) });
  }
  return out;
}

/**
 * The memory stores' own re-embedding from their database, for reembedStores' `reindex`. The
 * services are asked for only when a kind needs it (the worker opens nothing it does not use).
 */
export function memoryReindexers(memory: () => Promise<MemoryServices>): NonNullable<ModelChangeOptions['reindex']> {
  return {
    memory_vault: async () => (await memory()).vault.reindex(),
    memory_conversations: async () => (await memory()).conversations.reindex(),
    memory_facts: async () => (await memory()).facts.reindex(),
    memory_reasoning: async () => (await memory()).reasoning.reindex(),
  };
}
