// Ids and collection names are stored (in SQLite, in Qdrant): the shared helpers that make them
// must keep producing exactly what earlier releases wrote, or stored data stops resolving.
import { pointId } from '../../activities/vectors/qdrant-store';
import { collectionName } from '../../activities/vectors/collection-name';
import { derivedUuid } from '../../activities/vectors/derived-uuid';
import { stableItemId } from '../../activities/vaults/service';
import { VectorSpace } from '../../activities/memory/vector-space';
import type { Embedder } from '../../activities/embeddings/port';
import type { VectorStore } from '../../activities/vectors/port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('Qdrant point ids, vault item ids and memory ids are the ones already stored', () => {
  expect(pointId('vault:handbook', 'item-1')).toBe('b62d7685-7126-5f43-99d6-240ec3aa9267');
  expect(derivedUuid(['fact', 't1', 'prefs', 'color'])).toBe('6a6b6ee3-f8d7-5b77-becc-18b87bc03615');
  // Vault item ids keep their fixed variant digit "a", even where the hash would give another.
  expect(stableItemId('ing-1:0')).toBe('536acfc1-8e1d-55c5-a6cb-94309afdcf26');
  expect(stableItemId('ing-1:1')).toBe('aee0cc21-693c-5c99-a59c-f352b49335d5');
  expect(derivedUuid(['ing-1:1'])).not.toBe(stableItemId('ing-1:1'));
  for (const id of [pointId('a', 'b'), derivedUuid(['x']), derivedUuid(['y', 'z'])]) expect(id).toMatch(UUID);
});

test('collection names keep both stored formats: vaults per model, memory kinds per kind and model', () => {
  expect(collectionName('all-MiniLM-L6-v2', 384)).toBe('par_all_minilm_l6_v2_384');
  expect(collectionName('  text-embedding-3-small ', 1536)).toBe('par_text_embedding_3_small_1536');
  const embedder = { model: 'all-MiniLM-L6-v2', dimension: 384 } as Embedder;
  expect(new VectorSpace('memory_facts', embedder, {} as VectorStore).collection).toBe('par_memory_facts__all_minilm_l6_v2__384');
});
