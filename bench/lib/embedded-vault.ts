// A vault service on the embedded stores (SQLite files in `dir`), as one machine runs it, for the
// benchmarks. `name` keeps several services apart in one folder.
import path from 'node:path';
import { SqlKeyValueStore } from '../../activities/vaults/kv-store';
import { VaultService, type VaultServiceDeps } from '../../activities/vaults/service';
import { SqlVaultSettingsStore } from '../../activities/vaults/vault-settings-store';
import { EmbeddedVectorStore } from '../../activities/vectors/embedded-store';

export async function embeddedVaultService(dir: string, opts: Pick<VaultServiceDeps, 'embedder'> & Partial<Pick<VaultServiceDeps, 'chunking' | 'rerank'>> & { name?: string }): Promise<VaultService> {
  const suffix = opts.name ? `-${opts.name}` : '';
  const db = { kind: 'sqlite' as const, file: path.join(dir, `vaults${suffix}.sqlite`) };
  return new VaultService({
    embedder: opts.embedder,
    store: new EmbeddedVectorStore(path.join(dir, `vectors${suffix}.sqlite`)),
    settings: await SqlVaultSettingsStore.open(db),
    kv: await SqlKeyValueStore.open(db),
    ...(opts.chunking ? { chunking: opts.chunking } : {}),
    ...(opts.rerank ? { rerank: opts.rerank } : {}),
  });
}
