import type { VaultSearchRequest, VaultSearchResult } from '../contracts';
import type { VaultService } from '../vaults/service';
import type { Retriever, VaultSettingsReader } from './types';

/**
 * Chat's retriever over the vault service: one vault or several (list or per-vault minimums).
 * Chat has already rewritten the query when smart history search is on, so it is used as is.
 */
export function vaultServiceRetriever(service: () => Promise<VaultService>): Retriever {
  return async (req: VaultSearchRequest): Promise<VaultSearchResult> => {
    const svc = await service();
    const opts = { n: req.n, filter: req.filter };
    if (req.vaults !== undefined) {
      const { items, shortfalls } = await svc.getSimilarFromVaults(req.query, req.vaults, opts);
      return shortfalls.length ? { items, searchQuery: req.query, shortfalls } : { items, searchQuery: req.query };
    }
    if (!req.vault) throw new Error('vault search needs vault or vaults');
    return { items: await svc.getSimilar(req.vault, req.query, opts), searchQuery: req.query };
  };
}

export function vaultServiceSettings(service: () => Promise<VaultService>): VaultSettingsReader {
  return async (vault) => (await service()).getSettings(vault);
}
