// Where vault text and memory vectors live in production (docs/vaults.md, "Where the data
// lives"), checked against the real servers: PostgreSQL and Qdrant. A delete removes the data
// from both; an export/import round trip loses nothing; memory rows rebuild their vectors.
import type { DatabaseTarget } from '../../activities/db';
import type { Embedder } from '../../activities/embeddings/port';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { vectorTenant } from '../../activities/memory/memory-vault';
import { collectionName } from '../../activities/vectors/collection-name';
import { QdrantVectorStore } from '../../activities/vectors/qdrant-store';
import { SqlKeyValueStore } from '../../activities/vaults/kv-store';
import { VaultService } from '../../activities/vaults/service';
import { vaultTenant } from '../../activities/vaults/vault-names';
import { SqlVaultSettingsStore } from '../../activities/vaults/vault-settings-store';
import { freshPostgresUrl } from '../helpers/postgres';
import { startTestQdrant, type TestQdrant } from '../helpers/qdrant';
import { sharedEmbedder } from '../memory/memory-test-services';

let qdrant: TestQdrant;
let target: DatabaseTarget;
let embedder: Embedder;
/** A Qdrant client of its own, to look at what is stored without going through the services. */
let raw: QdrantVectorStore;

beforeAll(async () => {
  const [q, url, e] = await Promise.all([startTestQdrant(), freshPostgresUrl('consistency'), sharedEmbedder()]);
  qdrant = q;
  target = { kind: 'postgres', url };
  // Without close(): the services share the process-wide model.
  embedder = { model: e.model, dimension: e.dimension, embed: (texts) => e.embed(texts) };
  raw = new QdrantVectorStore({ url: qdrant.url });
}, 120_000);
afterAll(async () => {
  await raw?.close();
  await qdrant?.close();
});

/** A vault service as one process (worker or API) has it: Qdrant for items, PostgreSQL for settings and key-value data. */
async function vaultService(): Promise<VaultService> {
  return new VaultService({ embedder, store: new QdrantVectorStore({ url: qdrant.url }), settings: await SqlVaultSettingsStore.open(target), kv: await SqlKeyValueStore.open(target) });
}

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));

test('vault: an export, a vault delete and an import in another process leave every item, date, metadata field and setting as it was', async () => {
  const one = await vaultService();
  const vault = `consist${Date.now().toString(36)}`;
  const added = await one.add(vault, 'Refunds are paid within 14 days of receiving the return.', { team: 'billing', priority: 2 });
  await one.add(vault, 'The support line is open from 8 am to 6 pm on weekdays.', { team: 'support' });
  await one.editMetadata(vault, added[0].id, { reviewed: true });
  await one.updateSettings(vault, { personality: 'Terse and exact.' });
  const exported = await one.exportVault(vault);
  expect(exported.items).toHaveLength(2);

  const collection = one.collection;
  expect(await raw.count(collection, vaultTenant(vault))).toBe(2);
  expect(await one.deleteVault(vault)).toEqual({ deletedItems: 2 });
  // Gone from both stores: no point in Qdrant, no settings row in PostgreSQL.
  expect(await raw.count(collection, vaultTenant(vault))).toBe(0);
  expect(await one.getSettings(vault)).toEqual({});
  expect(await one.getSimilar(vault, 'when are refunds paid')).toEqual([]);

  // Imported through another process's service (the export is JSON, as the API carries it).
  const two = await vaultService();
  expect(await two.importVault(JSON.parse(JSON.stringify(exported)))).toEqual({ vault, imported: 2 });
  const again = await one.exportVault(vault);
  expect(byId(again.items)).toEqual(byId(exported.items));
  expect(again.settings).toEqual(exported.settings);
  expect((await one.getSimilar(vault, 'when are refunds paid', { n: 1 }))[0]).toMatchObject({ id: added[0].id, metadata: { team: 'billing', priority: 2, reviewed: true } });

  // Deleting one item removes its point; the other stays searchable.
  expect(await two.deleteItems(vault, [added[0].id])).toEqual({ deleted: [added[0].id], missing: [] });
  expect(await raw.get(collection, vaultTenant(vault), [added[0].id])).toEqual([]);
  expect((await one.getSimilar(vault, 'refunds')).map((i) => i.id)).not.toContain(added[0].id);
  expect(await raw.count(collection, vaultTenant(vault))).toBe(1);
  await Promise.all([one.close(), two.close()]);
});

test('memory: a delete removes the vector from Qdrant and soft-deletes the row; restore and reindex rebuild vectors from the rows', async () => {
  const services: MemoryServices = await createMemoryServices({ database: target, embedder, vectorStore: new QdrantVectorStore({ url: qdrant.url }) });
  const tenant = `consist-${process.pid}-${Date.now()}`;
  const collection = collectionName(embedder.model, embedder.dimension, 'memory_vault');
  const kept = await services.vault.create({ tenant, content: 'The warehouse door code is 4711' });
  const gone = await services.vault.create({ tenant, content: 'Prefers invoices by email' });
  expect((await raw.get(collection, vectorTenant(tenant, 'private'), [kept.id, gone.id])).map((r) => r.id).sort()).toEqual([kept.id, gone.id].sort());

  await services.vault.delete({ tenant, id: gone.id });
  expect(await raw.get(collection, vectorTenant(tenant, 'private'), [gone.id])).toEqual([]);
  expect((await services.vault.list({ tenant, deleted: true })).map((e) => e.id)).toEqual([gone.id]);
  expect((await services.vault.search({ tenant, query: 'invoices by email' })).entries.map((e) => e.id)).not.toContain(gone.id);

  await services.vault.restore({ tenant, id: gone.id });
  expect((await services.vault.search({ tenant, query: 'invoices by email' })).entries[0]).toMatchObject({ id: gone.id });

  // Qdrant loses the tenant's vectors (a new cluster, a dropped collection): the rows in
  // PostgreSQL are the record, and reindex puts every live entry back.
  await raw.deleteTenant(collection, vectorTenant(tenant, 'private'));
  expect((await services.vault.search({ tenant, query: 'warehouse door code' })).entries).toEqual([]);
  expect(await services.vault.reindex(tenant)).toBe(2);
  expect((await services.vault.search({ tenant, query: 'warehouse door code' })).entries[0]).toMatchObject({ id: kept.id, content: 'The warehouse door code is 4711' });
  await services.close();
});
