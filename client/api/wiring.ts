// Connects the API to the real services this process can reach. A group is left out (and its
// routes with it) only while its service does not exist.
import type { ParConfig } from '../../workers/config';
import type { AbortableStreamBus } from '../../activities/streams';
import { sharedVaultService } from '../../activities/vaults';
import { connectClient } from '../temporal';
import { FlowService } from '../services/flows';
import { openFlowStore } from '../services/flow-store';
import { createMemoryServices } from '../../activities/memory/services';
import { createDefaultChat } from '../../activities/chat';
import type { ApiServices } from './services';

export async function connectServices(config: ParConfig, bus: AbortableStreamBus): Promise<ApiServices> {
  const [vaults, temporal] = await Promise.all([sharedVaultService(), connectClient(config, 15_000)]);
  const memory = await createMemoryServices({ embedder: vaults.embedder });
  const chat = createDefaultChat();
  return { bus, vaults, chat, flows: new FlowService(temporal, config.taskQueue, undefined, () => memory.context, openFlowStore(config.dataDir)), memory: { vault: memory.vault, facts: memory.facts, reasoning: memory.reasoning, conversations: memory.conversations } };
}
