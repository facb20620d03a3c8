/**
 * Moving stored vectors to a new local embedding model. Every collection is named after its
 * model (collection-name.ts), so a new default model starts on empty collections. When the new
 * model's collection of a kind is empty and a collection of the same kind written by another
 * local model exists, its records are re-embedded from their stored text into the new one, in
 * the background, with progress. The old collection is left as it was (switching back finds it).
 *
 * Only local models are followed: re-embedding into a paid API is a choice (`par vault export`
 * / `import`), never automatic. A marker record in the new collection says where the copy came
 * from and whether it finished, so a copy cut short by a restart resumes instead of being taken
 * for a finished one.
 */
import { derivedUuid } from './derived-uuid';
import type { VectorRecord, VectorStore } from './port';
import type { Embedder } from '../embeddings/port';

/** Holds the markers; outside every vault and memory tenant, so no query ever sees it. */
export const REEMBED_TENANT = '__par_reembed';

export interface ReembedProgress {
  from: string;
  to: string;
  done: number;
  total: number;
}

export interface ReembedResult {
  /** The collection copied from, when there was one to copy. */
  from?: string;
  /** Records of the earlier collection now in the new one (copied now, or before a restart). */
  copied: number;
  /** Records without stored text, which cannot be re-embedded (left to the caller's `reindex`). */
  withoutText: number;
}

export interface ReembedOptions {
  store: VectorStore;
  embedder: Embedder;
  /** The new model's collection. */
  collection: string;
  /** Which collections hold the same kind of data (see sameKind). */
  isSameKind: (collection: string) => boolean;
  /** The store's collections, when the caller listed them already (one listing for every kind). */
  collections?: string[];
  onProgress?: (p: ReembedProgress) => void;
  /** Checked between batches: a closing process stops the copy (the next start resumes it). */
  stopped?: () => boolean;
  batchSize?: number;
}

const MARKER_ID = (from: string) => derivedUuid(['reembed', from]);

/** Collections of one kind: `par_<space>__<model>__<dim>` for a memory kind, `par_<model>_<dim>` for vaults. */
export function sameKind(space?: string): (collection: string) => boolean {
  return space ? (c) => c.startsWith(`par_${space}__local_`) : (c) => c.startsWith('par_local_') && !c.includes('__');
}

function unitVector(dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  v[0] = 1;
  return v;
}

/** The text a record was embedded from: its `text`, or the vault item's `payload.text`. */
function textOf(r: VectorRecord): string | undefined {
  if (typeof r.text === 'string' && r.text !== '') return r.text;
  const t = r.payload.text;
  return typeof t === 'string' && t !== '' ? t : undefined;
}

async function marker(store: VectorStore, collection: string, from: string): Promise<VectorRecord | undefined> {
  return (await store.get(collection, REEMBED_TENANT, [MARKER_ID(from)]))[0];
}

/** The source to copy from, or none: the target already holds data of its own or a finished copy. */
async function pickSource(o: ReembedOptions, sources: string[]): Promise<string | undefined> {
  for (const from of sources) {
    const m = await marker(o.store, o.collection, from);
    if (m) return m.payload.finished ? undefined : from; // resume a copy cut short
  }
  const ownTenants = (await o.store.listTenants(o.collection)).filter((t) => t !== REEMBED_TENANT);
  if (ownTenants.length > 0) return undefined;
  // Several earlier models: the one holding the most records is the one that was in use.
  let best: { from: string; n: number } | undefined;
  for (const from of sources) {
    let n = 0;
    for (const t of await o.store.listTenants(from)) if (t !== REEMBED_TENANT) n += await o.store.count(from, t);
    if (n > 0 && (!best || n > best.n)) best = { from, n };
  }
  return best?.from;
}

export async function reembedFromEarlierModel(o: ReembedOptions): Promise<ReembedResult> {
  const { store, embedder, collection } = o;
  const batchSize = o.batchSize ?? 64;
  const all = o.collections ?? (await store.listCollections());
  const sources = all.filter((c) => c !== collection && o.isSameKind(c));
  // Nothing of another model's: the new collection is not created before it is used.
  if (sources.length === 0) return { copied: 0, withoutText: 0 };
  await store.ensureCollection(collection, embedder.dimension);
  const from = await pickSource(o, sources);
  if (!from) return { copied: 0, withoutText: 0 };
  const writeMarker = (finished: boolean, copied: number) =>
    store.upsert(collection, [
      { id: MARKER_ID(from), tenant: REEMBED_TENANT, vector: unitVector(embedder.dimension), payload: { from, model: embedder.model, finished, copied, at: new Date().toISOString() } },
    ]);
  await writeMarker(false, 0);
  const tenants = (await store.listTenants(from)).filter((t) => t !== REEMBED_TENANT);
  let total = 0;
  for (const t of tenants) total += await store.count(from, t);
  let done = 0;
  let withoutText = 0;
  o.onProgress?.({ from, to: collection, done, total });
  for (const tenant of tenants) {
    let cursor: string | undefined;
    do {
      if (o.stopped?.()) return { from, copied: done - withoutText, withoutText };
      const page = await store.scroll(from, tenant, { limit: batchSize, cursor });
      cursor = page.cursor;
      // An id already in the new collection was copied before a restart, or written there since
      // (an edit while the copy runs): either way it is not overwritten with the old text.
      const present = new Set((await store.get(collection, tenant, page.records.map((r) => r.id))).map((r) => r.id));
      const withText = page.records.filter((r) => !present.has(r.id)).flatMap((r) => {
        const text = textOf(r);
        return text === undefined ? [] : [{ r, text }];
      });
      withoutText += page.records.filter((r) => !present.has(r.id) && textOf(r) === undefined).length;
      const vectors = await embedder.embed(withText.map((x) => x.text));
      await store.upsert(
        collection,
        withText.map(({ r }, i) => ({
          ...r,
          vector: vectors[i]!,
          // A vault item records the model that embedded it.
          payload: 'embedding_model' in r.payload ? { ...r.payload, embedding_model: embedder.model, embedding_dimension: embedder.dimension } : r.payload,
        })),
      );
      done += page.records.length;
      o.onProgress?.({ from, to: collection, done, total });
    } while (cursor);
  }
  await writeMarker(true, done);
  return { from, copied: done - withoutText, withoutText };
}
