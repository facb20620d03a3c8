import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CachedEmbedder, createDefaultEmbedder, EmbedderClosedError, EmbedderConfigError, LazyEmbedder, sharedDefaultEmbedder } from '../../activities/embeddings';
import { createMemoryServices } from '../../activities/memory/services';
import { createVaultService } from '../../activities/vaults';

// Regression: the vault service, the memory services and the offline model each loaded their own
// copy of the embedding model in the worker. They now share one per process and configuration.
test('vaults and memory share one embedder; closing a service leaves it working for the others', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-shared-embedder-'));
  const env = { ...process.env, PAR_DATA_DIR: dataDir, PAR_EMBEDDER: 'local' };
  const shared = await sharedDefaultEmbedder(env);
  expect(shared).toBeInstanceOf(CachedEmbedder);
  expect(await sharedDefaultEmbedder({ ...env, PAR_DATA_DIR: '/elsewhere' })).toBe(shared);

  const vaults = await createVaultService({ env });
  const memory = await createMemoryServices({ dbFile: path.join(dataDir, 'memory.sqlite') });
  expect(memory.embedder).toBe(await sharedDefaultEmbedder());

  await vaults.add('docs', 'Refunds take fourteen days.');
  await vaults.close();
  // The model thread is still there for whoever else holds the embedder.
  const [v] = await shared.embed(['still loaded after the vault service closed']);
  expect(v).toHaveLength(384);
  await memory.vault.save({ tenant: 't1', content: 'The user prefers window seats.' });
  expect((await memory.vault.search({ tenant: 't1', query: 'seat preference' })).entries[0]?.content).toContain('window');
  await memory.close();
});

test('a bad embedder setting is refused each time, not remembered as a broken shared embedder', async () => {
  const env = { PAR_EMBEDDER: 'openai' } as NodeJS.ProcessEnv;
  await expect(sharedDefaultEmbedder(env)).rejects.toBeInstanceOf(EmbedderConfigError);
  await expect(sharedDefaultEmbedder(env)).rejects.toThrow(/needs OPENAI_API_KEY/);
});

test('the local model loads with the first text to embed: listing vaults never starts it', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-lazy-embedder-'));
  // A model of its own, so this process's shared embedder for it is fresh.
  const env = { ...process.env, PAR_DATA_DIR: dataDir, PAR_EMBEDDER: 'local', PAR_LOCAL_EMBEDDING_MODEL: 'bge-small-en-v1.5' };
  const vaults = await createVaultService({ env });
  const lazy = (vaults.embedder as CachedEmbedder).inner as LazyEmbedder;
  expect(lazy).toBeInstanceOf(LazyEmbedder);
  expect(vaults.embedder).toMatchObject({ model: 'local:bge-small-en-v1.5', dimension: 384 });
  expect(await vaults.listVaults()).toEqual([]);
  expect(lazy.started).toBe(false);
  await vaults.add('docs', 'Refunds take fourteen days.');
  expect(lazy.started).toBe(true);
  expect((await vaults.getSimilar('docs', 'how long do refunds take'))[0]?.text).toBe('Refunds take fourteen days.');
  await vaults.close();
});

test('a closed lazy embedder refuses to embed instead of loading its model again', async () => {
  let loads = 0;
  const lazy = new LazyEmbedder('local:e5-small-v2', 384, async () => {
    loads++;
    return createDefaultEmbedder({ ...process.env, PAR_EMBEDDER: 'local' });
  });
  expect(await lazy.embed([])).toEqual([]);
  expect(loads).toBe(0);
  expect(await lazy.embed(['one text'])).toHaveLength(1);
  expect(loads).toBe(1);
  await lazy.close();
  await expect(lazy.embed(['another'])).rejects.toBeInstanceOf(EmbedderClosedError);
  expect(loads).toBe(1);
});
