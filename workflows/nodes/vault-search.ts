import type { VaultSearchRequest, VaultSearchResult } from '../../activities/contracts';
import { localReads, vaultActivities } from '../flow/activities';

/**
 * A vault search from a node: a fast read (local activity) unless smart history search may ask
 * a model to rewrite the query, which can be a remote call and so stays a regular activity. The
 * conversation only matters to that rewrite, so the local call leaves it out of its input.
 */
export function searchVaults(req: VaultSearchRequest): Promise<VaultSearchResult> {
  const mayCallModel = Boolean(req.smartHistorySearch && req.history?.length);
  const local = mayCallModel ? undefined : localReads();
  return local ? local.vaultSearch({ ...req, history: undefined }) : vaultActivities().vaultSearch(req);
}
