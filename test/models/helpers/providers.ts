import { ModelRouter, type ModelRouterOptions } from '../../../activities/models/router';
import { LexicalSimilarity } from '../../../activities/models/similarity';
import { AnthropicWireServer } from './anthropic-wire-server';
import { OpenAIWireServer } from './openai-wire-server';

export const OPENAI_KEY = 'sk-test-openai';
export const ANTHROPIC_KEY = 'sk-ant-test';
export const GEMINI_KEY = 'gemini-test-key';
export const XAI_KEY = 'xai-test-key';

export interface LocalProviders {
  openai: OpenAIWireServer;
  anthropic: AnthropicWireServer;
  /** Gemini's and Grok's OpenAI-compatible endpoints, each a server of its own. */
  gemini: OpenAIWireServer;
  grok: OpenAIWireServer;
  env: NodeJS.ProcessEnv;
  router(opts?: Omit<ModelRouterOptions, 'env'>): ModelRouter;
  reset(): void;
  close(): Promise<void>;
}

/** Local protocol servers for every provider, and the environment pointing the SDKs at them. */
export async function startLocalProviders(): Promise<LocalProviders> {
  const openai = await new OpenAIWireServer(OPENAI_KEY).start();
  const anthropic = await new AnthropicWireServer(ANTHROPIC_KEY).start();
  const gemini = await new OpenAIWireServer(GEMINI_KEY).start();
  const grok = await new OpenAIWireServer(XAI_KEY).start();
  const env: NodeJS.ProcessEnv = {
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_BASE_URL: `${gemini.url}/v1`,
    XAI_API_KEY: XAI_KEY,
    XAI_BASE_URL: `${grok.url}/v1`,
  };
  const servers = [openai, anthropic, gemini, grok];
  return {
    openai,
    anthropic,
    gemini,
    grok,
    env,
    router: (opts = {}) => new ModelRouter({ similarity: new LexicalSimilarity(), ...opts, env }),
    reset: () => servers.forEach((s) => s.reset()),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
