/**
 * What a change of local embedding model does to stored vectors: every kind of store (vault
 * items, Memory Vault entries, conversation turns, facts, ReasoningBank items) is copied from the
 * earlier model's collection into the new model's, re-embedded from its stored text
 * (vectors/reembed.ts). The worker runs this in the background at start; `par db reembed` runs
 * it in the foreground with progress.
 */
import { LeaseHeldError, leaseOwner, withLease, type LeaseOptions, type LeaseStore } from '../db/leases';
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

/** The lease that lets one process at a time re-embed into a model's collections (db/leases.ts). */
export function reembedLeaseName(model: string): string {
  return `reembed:${model}`;
}

/** A copier's lease lapses a minute after its last renewal (renewed every 20 s). */
const REEMBED_LEASE_MS = 60_000;

export interface ExclusiveReembedOptions extends ModelChangeOptions {
  leases: LeaseStore;
  /** Default: this process, for a minute at a time. */
  lease?: LeaseOptions;
  /**
   * While another process holds the lease: told who, then waits for it to finish or lapse and
   * tries again (what a worker does). Without it, LeaseHeldError is thrown (`par db reembed`).
   */
  onHeld?: (held: LeaseHeldError) => void;
  /** How often a waiting process looks again (default every second: one small read). */
  pollMs?: number;
}

/**
 * reembedStores with one copier at a time across hosts: workers starting together on several
 * hosts take turns on one lease per model. The first copies; the others wait, and then find the
 * finished markers and have nothing to do. If the copier dies, its lease lapses and a waiting one
 * resumes the copy where it stopped (reembed.ts's markers). A copier that stalled past its lease
 * stops at the next batch, leaving the rest to the one that took over.
 */
export async function reembedStoresExclusively(o: ExclusiveReembedOptions): Promise<StoreReembedResult[]> {
  if (!o.embedder.model.startsWith('local:')) return [];
  const name = reembedLeaseName(o.embedder.model);
  const lease = o.lease ?? { owner: leaseOwner(), ttlMs: REEMBED_LEASE_MS };
  for (;;) {
    if (o.stopped?.()) return [];
    try {
      return await withLease(o.leases, name, lease, (lost) => reembedStores({ ...o, stopped: () => lost() || !!o.stopped?.() }));
    } catch (err) {
      if (!(err instanceof LeaseHeldError) || !o.onHeld) throw err;
      o.onHeld(err);
      await waitUntil(Math.min(err.holder.expiresAt.getTime() + 1, Date.now() + (o.pollMs ?? 1000)), o.stopped);
    }
  }
}

/** Sleeps until the time, waking every 100 ms to see whether the process is closing. */
async function waitUntil(time: number, stopped?: () => boolean): Promise<void> {
  while (Date.now() < time && !stopped?.()) await new Promise((r) => setTimeout(r, Math.min(100, time - Date.now())));
}
