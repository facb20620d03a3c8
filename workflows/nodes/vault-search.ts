import type { VaultSearchRequest, VaultSearchResult } from '../../activities/contracts';
import { localReads, vaultActivities } from '../flow/activities';

/**
 * A vault search from a node: a fast read (local activity) unless smart history search may ask
 * a model to rewrite the query, which can be a remote call and so stays a regular activity.
 */
export function searchVaults(req: VaultSearchRequest): Promise<VaultSearchResult> {
  const mayCallModel = Boolean(req.smartHistorySearch && req.history?.length);
  return ((mayCallModel ? undefined : localReads()) ?? vaultActivities()).vaultSearch(req);
}
