/**
 * The vault service a process uses: default embedder and vector store, settings and key-value
 * data in the vaults database (<data dir>/vaults.sqlite, or PostgreSQL with PAR_DATABASE_URL).
 * Created once per process on first use.
 */
import { databaseTarget } from '../db';
import { sharedDefaultEmbedder } from '../embeddings';
import { sharedRerankStage } from '../rerank';
import { onceUntilFailure } from '../common/once-until-failure';
import { createDefaultVectorStore } from '../vectors';
import type { QueryRewriter } from './history-search';
import { SqlKeyValueStore } from './kv-store';
import { VaultService } from './service';
import { SqlVaultSettingsStore } from './vault-settings-store';

export { VaultService, stableItemId } from './service';
export type { SearchOptions } from './service';
export type { ItemToPut, NewItem } from './vault-input';
export type { VaultExport } from './vault-transfer';
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

export async function createVaultService(
  opts: { env?: NodeJS.ProcessEnv; queryRewriterFor?: (model: string) => QueryRewriter | undefined } = {},
): Promise<VaultService> {
  const env = opts.env ?? process.env;
  const target = databaseTarget('vaults', env);
  const [embedder, store, settings, kv, rerank] = await Promise.all([
    sharedDefaultEmbedder(env),
    createDefaultVectorStore(env),
    SqlVaultSettingsStore.open(target),
    SqlKeyValueStore.open(target),
    sharedRerankStage(env),
  ]);
  return new VaultService({
    embedder,
    store,
    settings,
    kv,
    rerank,
    queryRewriterFor: opts.queryRewriterFor ?? ((model) => rewriterFactory?.(model)),
  });
}

/** One service per process (the model and the store are expensive to open). */
export const sharedVaultService: () => Promise<VaultService> = onceUntilFailure(createVaultService);
