/**
 * A change of local embedding model (all-MiniLM-L6-v2, the earlier default, to bge-small-en-v1.5):
 * what the earlier model stored is re-embedded into the new model's collections, on the real
 * models and the embedded stores, and nothing stored is lost or overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CachedEmbedder, LOCAL_MODELS, LocalOnnxEmbedder, type Embedder } from '../../activities/embeddings';
import { memoryReindexers, reembedLeaseName, reembedStores, reembedStoresExclusively } from '../../activities/embeddings/model-change';
import { LeaseStore, type LeaseHeldError } from '../../activities/db/leases';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { EmbeddedVectorStore } from '../../activities/vectors/embedded-store';
import { REEMBED_TENANT } from '../../activities/vectors/reembed';
import { serviceIn, tempDir } from './service-fixture';

let minilm: Embedder;
let bge: Embedder;
beforeAll(async () => {
  [minilm, bge] = await Promise.all([
    LocalOnnxEmbedder.create(LOCAL_MODELS['all-MiniLM-L6-v2']).then((e) => new CachedEmbedder(e)),
    LocalOnnxEmbedder.create(LOCAL_MODELS['bge-small-en-v1.5']).then((e) => new CachedEmbedder(e)),
  ]);
});
afterAll(async () => Promise.all([minilm.close?.(), bge.close?.()]));

/** Shares the model without closing it when a service closes. */
const borrowed = (e: Embedder): Embedder => ({ model: e.model, dimension: e.dimension, embed: (t) => e.embed(t) });

async function memoryIn(dir: string, embedder: Embedder): Promise<MemoryServices> {
  return createMemoryServices({ embedder: borrowed(embedder), vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')), dbFile: path.join(dir, 'memory.sqlite') });
}

const TOPICS = ['The refund window is 30 days from delivery.', 'Invoices are sent on the first of each month.', 'Support answers within one business day.'];

async function seedWithMiniLm(dir: string): Promise<void> {
  const vaults = await serviceIn(dir, { embedder: borrowed(minilm) });
  await vaults.addMany('policies', [...TOPICS, ...Array.from({ length: 40 }, (_, i) => `Filler note number ${i} about office plants.`)].map((text) => ({ text })));
  await vaults.close();
  const memory = await memoryIn(dir, minilm);
  await memory.vault.save({ tenant: 'ada', content: 'The user is vegetarian.' });
  await memory.facts.put({ tenant: 'ada', namespace: 'user', key: 'tz', value: { zone: 'Europe/Lisbon' } });
  await memory.conversations.index({ tenant: 'ada', sessionId: 's1', messages: [{ role: 'user', content: 'My dog is called Biscuit.' }, { role: 'assistant', content: 'Nice name!' }] });
  await memory.reasoning.add('ada', { title: 'Check the invoice date', description: 'billing', content: 'Look up the invoice date before answering billing questions.', taskSignature: 'billing question about invoices', runId: 'r1' });
  await memory.close();
}

test('a new model finds what the earlier model stored once it is re-embedded, in every store', async () => {
  const dir = tempDir('par-model-change-');
  await seedWithMiniLm(dir);
  const vaults = await serviceIn(dir, { embedder: borrowed(bge) });
  const memory = await memoryIn(dir, bge);
  try {
    // Before: the new model's collections are empty.
    expect(await vaults.listVaults()).toEqual([]);
    const progress: string[] = [];
    const results = await reembedStores({
      store: memory.vectorStore,
      embedder: memory.embedder,
      reindex: memoryReindexers(async () => memory),
      onProgress: (kind, p) => progress.push(`${kind} ${p.done}/${p.total}`),
    });
    expect(Object.fromEntries(results.map((r) => [r.kind, r.copied]))).toEqual({ vaults: 43, memory_vault: 1, memory_conversations: 2, memory_facts: 1, memory_reasoning: 2 });
    expect(results.every((r) => r.from?.includes('all_minilm_l6_v2'))).toBe(true);
    expect(progress).toContain('vaults 43/43');
    expect(progress).toContain('vaults 0/43');

    expect(await vaults.listVaults()).toEqual([{ name: 'policies', items: 43 }]);
    const [top] = await vaults.getSimilar('policies', 'how long do I have to return an item?', { n: 1 });
    expect(top!.text).toBe(TOPICS[0]);
    const [stored] = await memory.vectorStore.get(vaults.collection, 'vault:policies', [top!.id]);
    expect(stored!.payload.embedding_model).toBe(bge.model);
    expect((await memory.vault.search({ tenant: 'ada', query: 'diet' })).entries.map((e) => e.content)).toContain('The user is vegetarian.');
    expect((await memory.facts.similar('ada', 'which time zone', 1, 0))[0]?.key).toBe('tz');
    expect((await memory.conversations.search({ tenant: 'ada', query: 'pet name' })).hits[0]?.text).toContain('Biscuit');
    expect((await memory.reasoning.retrieve('ada', 'a billing question about an invoice'))[0]?.title).toBe('Check the invoice date');

    // Done once: a second pass finds a finished copy and does nothing.
    const again = await reembedStores({ store: memory.vectorStore, embedder: memory.embedder });
    expect(again.every((r) => r.from === undefined && r.copied === 0)).toBe(true);
    // The earlier collections are left as they were.
    const old = await serviceIn(dir, { embedder: borrowed(minilm) });
    expect(await old.listVaults()).toEqual([{ name: 'policies', items: 43 }]);
    await old.close();
  } finally {
    await vaults.close();
    await memory.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a copy cut short resumes, and never overwrites what was written under the new model meanwhile', async () => {
  const dir = tempDir('par-model-change-');
  await seedWithMiniLm(dir);
  const vaults = await serviceIn(dir, { embedder: borrowed(bge) });
  const memory = await memoryIn(dir, bge);
  try {
    let batches = 0;
    const first = await reembedStores({ store: memory.vectorStore, embedder: memory.embedder, batchSize: 10, onProgress: () => batches++, stopped: () => batches >= 2 });
    expect(first[0]!.kind).toBe('vaults');
    const partial = (await vaults.listVaults())[0]?.items ?? 0;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(43);
    // The marker says unfinished, so the vault's own items do not pass for a finished copy.
    const marker = (await memory.vectorStore.scroll(vaults.collection, REEMBED_TENANT, { limit: 10 })).records;
    expect(marker.map((m) => m.payload.finished)).toEqual([false]);

    // An edit under the new model while the copy is unfinished.
    const { items } = await vaults.listItems('policies', { limit: 100 });
    const edited = items.find((i) => i.text.startsWith('Filler'))!;
    await vaults.editText('policies', edited.id, 'Edited after the model change.');
    const [stillOld] = (await memory.vectorStore.get(vaults.collection, 'vault:policies', [edited.id]));
    expect(stillOld!.text).toBe('Edited after the model change.');

    const rest = await reembedStores({ store: memory.vectorStore, embedder: memory.embedder, reindex: memoryReindexers(async () => memory) });
    expect(rest[0]!.from).toContain('all_minilm_l6_v2');
    expect(await vaults.count('policies')).toBe(43);
    expect((await vaults.getItems('policies', [edited.id])).items[0]!.text).toBe('Edited after the model change.');
    expect((await memory.vault.search({ tenant: 'ada', query: 'diet' })).entries.map((e) => e.content)).toContain('The user is vegetarian.');
  } finally {
    await vaults.close();
    await memory.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ReasoningBank vectors written before they kept their text are re-embedded from the database', async () => {
  const dir = tempDir('par-model-change-');
  const before = await memoryIn(dir, minilm);
  await before.reasoning.add('ada', { title: 'Ask for the order id', description: 'orders', content: 'Ask for the order id first.', taskSignature: 'order status question', runId: 'r1' });
  // As an earlier PAR stored them: the same vectors without their text.
  const col = (await before.vectorStore.listCollections()).find((c) => c.startsWith('par_memory_reasoning__'))!;
  const { records } = await before.vectorStore.scroll(col, 'ada', { limit: 10 });
  await before.vectorStore.upsert(col, records.map(({ text: _text, ...r }) => r));
  await before.close();

  const memory = await memoryIn(dir, bge);
  try {
    const [result] = (await reembedStores({ store: memory.vectorStore, embedder: memory.embedder, reindex: memoryReindexers(async () => memory) })).filter((r) => r.kind === 'memory_reasoning');
    expect(result).toMatchObject({ withoutText: 2, reindexed: 1 });
    expect((await memory.reasoning.retrieve('ada', 'where is my order?'))[0]?.title).toBe('Ask for the order id');
  } finally {
    await memory.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a store on a model that is not local is never re-embedded automatically', async () => {
  const dir = tempDir('par-model-change-');
  await seedWithMiniLm(dir);
  const store = new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite'));
  const remote: Embedder = { model: 'openai:text-embedding-3-small', dimension: 1536, embed: async () => { throw new Error('must not be called'); } };
  try {
    expect(await reembedStores({ store, embedder: remote })).toEqual([]);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** One worker's view for the lease tests: its own store handle, lease handle and a count of texts it embedded. */
async function workerIn(dir: string, owner: string) {
  const counted = { texts: 0 };
  const embedder: Embedder = { model: bge.model, dimension: bge.dimension, embed: (t) => ((counted.texts += t.length), bge.embed(t)) };
  const store = new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite'));
  const leases = await LeaseStore.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') });
  const held: LeaseHeldError[] = [];
  return {
    counted,
    held,
    leases,
    run: () => reembedStoresExclusively({ store, embedder, leases, lease: { owner, ttlMs: 60_000 }, pollMs: 20, onHeld: (h) => held.push(h) }),
    close: async () => Promise.all([store.close(), leases.close()]),
  };
}

test('workers starting together take turns through the lease: one re-embeds, the other waits and finds nothing left', async () => {
  const dir = tempDir('par-model-change-');
  await seedWithMiniLm(dir);
  const [a, b] = await Promise.all([workerIn(dir, 'host-a'), workerIn(dir, 'host-b')]);
  try {
    const [ra, rb] = await Promise.all([a.run(), b.run()]);
    const [copier, waiter] = ra.some((r) => r.from) ? [{ w: a, r: ra }, { w: b, r: rb }] : [{ w: b, r: rb }, { w: a, r: ra }];
    expect(copier.r.find((r) => r.kind === 'vaults')).toMatchObject({ copied: 43 });
    expect(waiter.r.every((r) => r.from === undefined && r.copied === 0)).toBe(true);
    // The waiter was told who held the lease, and embedded nothing.
    expect(waiter.w.held.length).toBeGreaterThan(0);
    expect(waiter.w.held[0]!.holder.owner).toBe(copier.w === a ? 'host-a' : 'host-b');
    expect(waiter.w.counted.texts).toBe(0);
    expect(copier.w.counted.texts).toBeGreaterThanOrEqual(43);
    expect(await a.leases.holder(reembedLeaseName(bge.model))).toBeUndefined();
  } finally {
    await a.close();
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a copier that dies mid-copy: its lease lapses and a waiting worker finishes the copy', async () => {
  const dir = tempDir('par-model-change-');
  await seedWithMiniLm(dir);
  const dead = await workerIn(dir, 'dead-host');
  const survivor = await workerIn(dir, 'host-b');
  try {
    // The first worker takes the lease for 400 ms, copies two batches and dies without releasing it.
    expect(await dead.leases.acquire(reembedLeaseName(bge.model), 'dead-host', 400)).toMatchObject({ acquired: true });
    let batches = 0;
    const store = new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite'));
    await reembedStores({ store, embedder: bge, batchSize: 10, onProgress: () => batches++, stopped: () => batches >= 3 });
    await store.close();
    const vaults = await serviceIn(dir, { embedder: borrowed(bge) });
    expect(await vaults.count('policies')).toBe(20);

    const results = await survivor.run();
    expect(survivor.held.map((h) => h.holder.owner)).toContain('dead-host');
    expect(results.find((r) => r.kind === 'vaults')).toMatchObject({ copied: 43 });
    expect(await vaults.count('policies')).toBe(43);
    // Only what the dead worker had not copied was embedded again: 23 vault items and the 6 memory records.
    expect(survivor.counted.texts).toBe(23 + 6);
    await vaults.close();
  } finally {
    await dead.close();
    await survivor.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
