// The Qdrant adapter against the real Qdrant server binary (../shared/tools/qdrant, unpacked into
// .tools/qdrant) when the project has it: the vector-store conformance suite, then the vault and
// memory services end to end. Without the binary this runs against the protocol fake, saying so.
import { createMemoryServices } from '../../activities/memory/services';
import { QdrantVectorStore } from '../../activities/vectors/qdrant-store';
import { sharedEmbedder } from '../memory/memory-test-services';
import { startTestQdrant, type TestQdrant } from '../helpers/qdrant';
import { VaultService } from '../../activities/vaults/service';
import { SqlKeyValueStore } from '../../activities/vaults/kv-store';
import { SqlVaultSettingsStore } from '../../activities/vaults/vault-settings-store';
import { vectorStoreConformance } from './vector-store-conformance';

let qdrant: TestQdrant;
beforeAll(async () => {
  qdrant = await startTestQdrant();
});
afterAll(async () => qdrant?.close());

describe('QdrantVectorStore on the Qdrant server binary (conformance)', () => {
  vectorStoreConformance(async () => new QdrantVectorStore({ url: qdrant.url }));
});

describe('vault and memory services on the Qdrant server binary', () => {
  test('vault items: add, search, delete, export and import through Qdrant', async () => {
    const model = await sharedEmbedder();
    const embedder = { model: model.model, dimension: model.dimension, embed: (t: string[]) => model.embed(t) };
    const target = { kind: 'sqlite' as const, file: ':memory:' };
    const svc = new VaultService({ embedder, store: new QdrantVectorStore({ url: qdrant.url }), settings: await SqlVaultSettingsStore.open(target), kv: await SqlKeyValueStore.open(target) });
    const added = await svc.addMany('handbook', [{ text: 'Refunds are paid within 14 days.' }, { text: 'The office opens at 9 am.' }]);
    expect((await svc.getSimilar('handbook', 'when do I get my refund', { n: 1 }))[0]?.id).toBe(added[0].id);
    const exported = await svc.exportVault('handbook');
    expect(exported.items).toHaveLength(2);
    await svc.deleteItems('handbook', [added[0].id]);
    expect((await svc.getSimilar('handbook', 'when do I get my refund', { n: 5 })).map((i) => i.id)).not.toContain(added[0].id);
    await svc.importVault(exported, 'copy');
    expect((await svc.getSimilar('copy', 'when do I get my refund', { n: 1 }))[0]?.text).toBe('Refunds are paid within 14 days.');
  });

  test('memory vault: save, same-topic merge, search, delete through Qdrant', async () => {
    const memory = await createMemoryServices({ database: { kind: 'sqlite', file: ':memory:' }, embedder: await sharedEmbedder(), vectorStore: new QdrantVectorStore({ url: qdrant.url }) });
    try {
      const a = await memory.vault.save({ tenant: 'q', content: 'The customer prefers invoices in euros.' });
      const b = await memory.vault.save({ tenant: 'q', content: 'The customer prefers their invoices in euros.' });
      expect(b.entry.id).toBe(a.entry.id);
      expect((await memory.vault.search({ tenant: 'q', query: 'invoice currency' })).entries[0]?.id).toBe(a.entry.id);
      await memory.vault.delete({ tenant: 'q', id: a.entry.id });
      expect((await memory.vault.search({ tenant: 'q', query: 'invoice currency' })).entries).toEqual([]);
    } finally {
      await memory.close();
    }
  });
});
