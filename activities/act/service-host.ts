import type { ContextItem, ModelMessage } from '../contracts';
import { defaultModelId, type ModelRouter } from '../models';
import type { VaultService } from '../vaults/service';
import type { SandboxHost } from './host-channel';

export interface ServiceHostDeps {
  vaults: () => Promise<VaultService>;
  router: ModelRouter;
  /** Model for vault.chat when the node names none. */
  defaultModel?: () => string;
  /** Vault items given to the model as context for vault.chat. */
  chatContextItems?: number;
}

/**
 * The worker side of a script's `vault` object, on the real vault service and model router:
 * search is the vault's similarity search; chat answers with the run's model, grounded in the
 * vault's closest items and its personality and prompt template, as a chat node would.
 */
export function createServiceSandboxHost(deps: ServiceHostDeps): SandboxHost {
  const contextItems = deps.chatContextItems ?? 4;
  return {
    async search(vault, query, n) {
      const hits = await (await deps.vaults()).getSimilar(vault, query, { n });
      return hits.map((h) => ({ id: h.id, text: h.text, score: h.score, metadata: h.metadata }));
    },
    async chat(vault, model, message, signal) {
      const messages: ModelMessage[] = [];
      let context: ContextItem[] | undefined;
      let promptTemplate: string | undefined;
      if (vault) {
        const service = await deps.vaults();
        const [hits, settings] = await Promise.all([service.getSimilar(vault, message, { n: contextItems }), service.getSettings(vault)]);
        context = hits.map((h) => ({ id: h.id, vault: h.vault, text: h.text, score: h.score }));
        if (settings.personality) messages.push({ role: 'system', content: settings.personality });
        promptTemplate = settings.promptTemplate;
      }
      messages.push({ role: 'user', content: message });
      const result = await deps.router.generate(
        { model: model || (deps.defaultModel ?? defaultModelId)(), messages, ...(context ? { context } : {}) },
        { signal, ...(promptTemplate ? { promptTemplate } : {}) },
      );
      return result.text;
    },
  };
}
