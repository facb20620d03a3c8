/**
 * The vault service a process uses: default embedder and vector store, settings and key-value
 * data in <data dir>/vaults.sqlite. Created once per process on first use.
 */
import path from 'node:path';
import { loadConfig } from '../../workers/config';
import { sharedDefaultEmbedder } from '../embeddings';
import { onceUntilFailure } from '../common/once-until-failure';
import { createDefaultVectorStore } from '../vectors';
import type { QueryRewriter } from './history-search';
import { SqliteKeyValueStore } from './kv-store';
import { VaultService } from './service';
import { SqliteVaultSettingsStore } from './vault-settings-store';

export { VaultService, stableItemId } from './service';
export type { VaultExport, ItemToPut, NewItem, SearchOptions } from './service';
export { VaultError } from './errors';
export type { QueryRewriter } from './history-search';
export { offlineSearchQuery } from './history-search';
export type { VaultSettings } from './vault-settings-store';

let rewriterFactory: ((model: string) => QueryRewriter | undefined) | undefined;

/**
 * Lets the models layer supply model-backed query rewriting for smart history search
 * (`vaultSearch` with `smartHistorySearch` and a `model`). Services created afterwards, and the
 * shared one whenever it is asked, consult it; without it the offline method is used.
 */
export function registerQueryRewriter(factory: ((model: string) => QueryRewriter | undefined) | undefined): void {
  rewriterFactory = factory;
}

export function vaultsDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(loadConfig(env).dataDir, 'vaults.sqlite');
}

export async function createVaultService(
  opts: { env?: NodeJS.ProcessEnv; queryRewriterFor?: (model: string) => QueryRewriter | undefined } = {},
): Promise<VaultService> {
  const env = opts.env ?? process.env;
  const file = vaultsDbPath(env);
  const [embedder, store] = await Promise.all([sharedDefaultEmbedder(env), createDefaultVectorStore(env)]);
  return new VaultService({
    embedder,
    store,
    settings: new SqliteVaultSettingsStore(file),
    kv: new SqliteKeyValueStore(file),
    queryRewriterFor: opts.queryRewriterFor ?? ((model) => rewriterFactory?.(model)),
  });
}

/** One service per process (the model and the store are expensive to open). */
export const sharedVaultService: () => Promise<VaultService> = onceUntilFailure(createVaultService);
