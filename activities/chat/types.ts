import type { ContextItem, ModelMessage, VaultSearchRequest, VaultSearchResult } from '../contracts';
import type { StreamEvent } from '../streams/port';

/** Vault search as chat needs it; VaultService-backed by default (see vault-retriever.ts). */
export type Retriever = (req: VaultSearchRequest) => Promise<VaultSearchResult>;

/** A vault's stored personality and prompt template. */
export type VaultSettingsReader = (vault: string) => Promise<{ personality?: string; promptTemplate?: string }>;

export interface ChatOptions {
  /** One vault to take context from, or several (a list, or per-vault minimums). */
  vault?: string;
  vaults?: string[] | Record<string, number | null>;
  history?: ModelMessage[];
  /** Retrieve context from the vault(s); on by default whenever a vault is named. */
  getContext?: boolean;
  /** How many context items to retrieve (default 4). */
  nContext?: number;
  /** Rewrite the message with the history into a standalone search query first. */
  smartHistorySearch?: boolean;
  /** Provider-qualified model id; defaultModelId() when not given. */
  model?: string;
  /** Default 0, and 0 is sent as 0. */
  temperature?: number;
  maxTokens?: number;
  /** System prompt; the vault's stored personality when not given. */
  personality?: string;
  /** Template with {context} and {content}; the vault's stored template, else the default. */
  promptTemplate?: string;
  /** Return { response, context, searchQuery } instead of the text; stream a context event. */
  returnContext?: boolean;
  /** Metadata filter for the vault search. */
  filter?: VaultSearchRequest['filter'];
  signal?: AbortSignal;
}

export interface ChatWithContext {
  response: string;
  context: ContextItem[];
  /** The text searched for (the rewrite with smart history search); undefined without retrieval. */
  searchQuery?: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  /** History messages left out to fit the model's context window. */
  droppedHistory: number;
}

/** getChatStream yields these: tokens, then context (with returnContext), usage, and done or error. */
export type ChatEvent = StreamEvent;
