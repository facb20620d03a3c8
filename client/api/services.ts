// What the API needs from the services it fronts. The API process adapts the real services
// (client/services, activities/*) to these in main.ts; a group whose service is absent is not
// routed at all.
import type { AbortableStreamBus, StreamEvent } from '../../activities/streams';
import type { JsonValue, ModelMessage } from '../../activities/contracts';
import type { ChatOptions, ChatWithContext } from '../../activities/chat';
import type { VaultService } from '../../activities/vaults/service';
import type { FlowService } from '../services/flows';
import type { MemoryVault } from '../../activities/memory/memory-vault';
import type { FactStore } from '../../activities/memory/fact-store';
import type { ReasoningBank } from '../../activities/memory/reasoning-bank';
import type { ConversationMemory } from '../../activities/memory/conversation-memory';

/** The vault operations the API exposes: the vault service's own methods (activities/vaults). */
export type VaultsPort = Pick<
  VaultService,
  'listVaults' | 'add' | 'getSimilar' | 'getSimilarFromVaults' | 'searchQuery' | 'listItems' | 'getItems' | 'editText' | 'editMetadata' | 'deleteItems' | 'exportVault' | 'importVault'
>;

/** A chat request as the API takes it (see ChatRequest in openapi.json). */
export interface ChatRequest {
  message: string;
  model?: string;
  history?: ModelMessage[];
  vault?: string;
  vaults?: string[] | Record<string, number | null>;
  /** Context items to retrieve. */
  n?: number;
  /** Retrieve context from the vault(s); on by default when a vault is named. */
  getContext?: boolean;
  temperature?: number;
  maxTokens?: number;
  smartHistorySearch?: boolean;
  /** System prompt; the vault's stored personality when absent. */
  personality?: string;
  promptTemplate?: string;
  /** Metadata filter for the vault search. */
  filter?: Record<string, JsonValue>;
}

/** Chat (activities/chat): one answer, or a stream of token/context/usage/done|error events. */
export interface ChatPort {
  getChat(message: string, opts: ChatOptions & { returnContext: true }): Promise<ChatWithContext>;
  getChatStream(message: string, opts: ChatOptions): AsyncIterable<StreamEvent>;
}

/** Flow runs, approvals and sessions: the flow engine's service (client/services/flows.ts). */
export type FlowsPort = Pick<FlowService, 'client' | 'taskQueue' | 'registry' | 'store' | 'catalog' | 'prepare' | 'start' | 'status' | 'list' | 'decide' | 'cancel' | 'history' | 'sendSessionMessage' | 'readSession'>;

/** The ReasoningBank operations the API exposes: inspect, search (read-only) and delete items. */
export type ReasoningPort = Pick<ReasoningBank, 'list' | 'get' | 'retrieve' | 'delete'>;

/** The Memory Vault, Fact Store and ReasoningBank (activities/memory), per tenant. */
export interface MemoryPort {
  vault: Pick<MemoryVault, 'save' | 'search' | 'list' | 'get' | 'update' | 'delete' | 'restore'>;
  facts: Pick<FactStore, 'put' | 'get' | 'list' | 'delete' | 'similar'>;
  /** The /v1/reasoning routes answer 503 reasoning_unavailable without it. */
  reasoning?: ReasoningPort;
  /** Search over earlier conversations (the search_memory tool of the MCP endpoint). */
  conversations?: Pick<ConversationMemory, 'search'>;
}

export interface ApiServices {
  bus: AbortableStreamBus;
  vaults?: VaultsPort;
  chat?: ChatPort;
  flows?: FlowsPort;
  memory?: MemoryPort;
}
