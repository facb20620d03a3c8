/**
 * After a change of local embedding model, the worker re-embeds what the earlier model stored
 * (activities/embeddings/model-change.ts) in the background: runs are served meanwhile, and
 * searches see the stores fill up. Progress goes to the worker's log; a stopped worker resumes
 * the copy at its next start. The model and the memory stores are loaded only when there is
 * something to copy: a worker with nothing to move starts as light as before.
 *
 * Workers on several hosts take turns through a lease in the shared database: one copies, the
 * others wait and take over if it stops (model-change.ts, reembedStoresExclusively).
 */
import { sharedDefaultEmbedder } from '../activities/embeddings';
import { memoryReindexers, reembedStoresExclusively } from '../activities/embeddings/model-change';
import { LeaseStore } from '../activities/db/leases';
import { sharedMemoryServices } from '../activities/memory/activities';
import { createDefaultVectorStore } from '../activities/vectors';

export function reembedInBackground(log: (line: string) => void = (l) => console.log(`[worker] ${l}`)): { stop(): Promise<void> } {
  let stopped = false;
  let last = 0;
  const done = (async () => {
    if ((process.env.PAR_EMBEDDER || 'local').toLowerCase() !== 'local') return;
    // The process's shared embedder: its model loads with the first text to embed (LazyEmbedder).
    const embedder = await sharedDefaultEmbedder();
    const store = await createDefaultVectorStore();
    const leases = await LeaseStore.open();
    let told = '';
    try {
      const results = await reembedStoresExclusively({
        store,
        embedder,
        leases,
        onHeld: (held) => {
          // Once per holder, not at every look.
          if (held.holder.owner !== told) log(`re-embedding for ${embedder.model} is taken by another worker (${held.holder.owner}); this one takes over if it stops`);
          told = held.holder.owner;
        },
        reindex: memoryReindexers(sharedMemoryServices),
        stopped: () => stopped,
        onProgress: (kind, p) => {
          const now = Date.now();
          if (p.done !== 0 && p.done !== p.total && now - last < 5000) return;
          last = now;
          log(`re-embedding ${kind} for ${embedder.model}: ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')} from ${p.from}`);
        },
      });
      for (const r of results) if (r.from) log(`re-embedded ${r.kind}: ${r.copied} records from ${r.from} into ${r.collection}${r.reindexed ? ` (${r.reindexed} re-embedded from the memory database)` : ''}`);
    } finally {
      await leases.close();
      await store.close();
    }
  })().catch((err: Error) => log(`re-embedding after the model change failed (it resumes at the next start): ${err.message}`));
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}
