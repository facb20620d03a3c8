import type { ModelMessage } from '../../../activities/contracts';
import { createDefaultChat, type ChatEvent, type ChatOptions } from '../../../activities/chat';
import { vaultServiceRetriever, vaultServiceSettings } from '../../../activities/chat/vault-retriever';
import { defaultModelId } from '../../../activities/models/model-id';
import { ModelRouter } from '../../../activities/models/router';
import { EmbeddingSimilarity } from '../../../activities/models/similarity';
import { createVaultService, type VaultService } from '../../../activities/vaults';
import type { ChatRequest, ParClient } from '../../sdk';
import { CliError } from '../output';
import { remoteClient, viaApi } from '../remote';

/** A chat's settings as `par chat` reads them from its flags. */
export interface ChatSettings {
  vault: string;
  getContext: boolean;
  history: ModelMessage[];
  smartHistorySearch: boolean;
  /** undefined: the default model (here: $PAR_DEFAULT_MODEL or the first provider with a key; remotely: the server's). */
  model?: string;
  n?: number;
  temperature?: number;
}

/**
 * What `par chat` asks of the chat library, the same in both modes: in this process (the vault
 * service and this machine's provider keys), or the HTTP API when PAR_API_KEY is set.
 */
export interface ChatBackend {
  /** The model as the interactive chat names it. */
  readonly modelLabel: string;
  /** One answer with its context, search query, model and usage (`--json`). */
  answer(message: string): Promise<unknown>;
  /** Streams one answer's events to `show`, which returns the full text. */
  stream(message: string, history: ModelMessage[], show: (events: AsyncIterable<ChatEvent>) => Promise<string>): Promise<string>;
  close(): Promise<void>;
}

/** The backend this invocation uses: the API with PAR_API_KEY set, else the chat library here. */
export function chatBackend(settings: ChatSettings, env: NodeJS.ProcessEnv = process.env): ChatBackend {
  const remote = remoteClient(env);
  return remote ? apiChat(remote, settings) : localChat(settings);
}

function localChat(s: ChatSettings): ChatBackend {
  const base: ChatOptions = {
    vault: s.vault,
    getContext: s.getContext,
    history: s.history,
    smartHistorySearch: s.smartHistorySearch,
    model: s.model ?? defaultModelId(),
    nContext: s.n,
    temperature: s.temperature,
  };
  let service: Promise<VaultService> | undefined;
  const vaults = () => (service ??= createVaultService());
  // The offline model shares the vault service's embedder instead of loading a second copy.
  const router = new ModelRouter({ similarity: async () => new EmbeddingSimilarity((await vaults()).embedder) });
  const chat = createDefaultChat({ router, retriever: vaultServiceRetriever(vaults), vaultSettings: vaultServiceSettings(vaults) });
  return {
    modelLabel: base.model!,
    answer: async (message) => {
      try {
        return await chat.getChat(message, { ...base, returnContext: true });
      } catch (err) {
        const e = err as { code?: string; message: string };
        throw new CliError(e.message, 1, typeof e.code === 'string' ? e.code : 'chat_failed');
      }
    },
    stream: (message, history, show) => show(chat.getChatStream(message, { ...base, history })),
    close: async () => {
      if (service) await (await service.catch(() => undefined))?.close();
    },
  };
}

/** POST /v1/chat for one answer, POST /v1/chat/stream for streams; the server's keys and default model. */
function apiChat(api: ParClient, s: ChatSettings): ChatBackend {
  const base: Omit<ChatRequest, 'message'> = {
    vault: s.vault,
    getContext: s.getContext,
    history: s.history,
    smartHistorySearch: s.smartHistorySearch,
    ...(s.model ? { model: s.model } : {}),
    n: s.n,
    temperature: s.temperature,
  };
  return {
    modelLabel: s.model ?? "the API's default model",
    answer: (message) => viaApi(() => api.chat({ ...base, message })),
    stream: (message, history, show) => viaApi(() => show(api.chatStream({ ...base, history, message }))),
    close: async () => undefined,
  };
}
