// Connects the API to the real services this process can reach. A group is left out (and its
// routes with it) only while its service does not exist.
import type { ParConfig } from '../../workers/config';
import type { AbortableStreamBus } from '../../activities/streams';
import { sharedVaultService } from '../../activities/vaults';
import type { ApiServices } from './services';

export async function connectServices(config: ParConfig, bus: AbortableStreamBus): Promise<ApiServices> {
  void config;
  const vaults = await sharedVaultService();
  return { bus, vaults };
}
