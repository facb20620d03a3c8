// The chat library: getChat / getChatStream over the process's vaults and models.
import { ModelRouter } from '../models/router';
import { offlineSearchQuery } from '../vaults/history-search';
import { sharedVaultService } from '../vaults';
import { createChat, type Chat, type ChatDeps } from './chat';
import type { ChatOptions, ChatWithContext } from './types';
import { vaultServiceRetriever, vaultServiceSettings } from './vault-retriever';

export { createChat, toErrorEvent, type Chat, type ChatDeps } from './chat';
export { ChatError } from './errors';
export { trimHistory, answerReserve } from './history-trim';
export { createModelQueryRewriter, queryRewriterFor } from './query-rewriter';
export { vaultServiceRetriever, vaultServiceSettings } from './vault-retriever';
export type { ChatEvent, ChatOptions, ChatWithContext, Retriever, VaultSettingsReader } from './types';

/** The default wiring: the shared vault service (opened on first use) and a model router. */
export function createDefaultChat(overrides: Partial<ChatDeps> = {}): Chat {
  return createChat({
    router: overrides.router ?? new ModelRouter(),
    retriever: vaultServiceRetriever(sharedVaultService),
    vaultSettings: vaultServiceSettings(sharedVaultService),
    offlineRewrite: offlineSearchQuery,
    ...overrides,
  });
}

let shared: Chat | undefined;
const chat = () => (shared ??= createDefaultChat());

export function getChat(message: string, opts: ChatOptions & { returnContext: true }): Promise<ChatWithContext>;
export function getChat(message: string, opts?: ChatOptions): Promise<string>;
export function getChat(message: string, opts: ChatOptions = {}): Promise<string | ChatWithContext> {
  return chat().getChat(message, opts);
}

export function getChatStream(message: string, opts: ChatOptions = {}) {
  return chat().getChatStream(message, opts);
}
