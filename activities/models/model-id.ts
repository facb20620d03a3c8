import { ModelError } from './errors';

export type ProviderName = 'openai' | 'anthropic' | 'gemini' | 'grok' | 'local';

export interface ProviderSettings {
  /** Environment variable holding the key; none for the local model. */
  keyVar?: string;
  baseUrlVar?: string;
  defaultBaseUrl?: string;
  /** Used by defaultModelId() when this provider's key is the one set. */
  defaultModel: string;
}

/** Gemini and Grok are reached through their OpenAI-compatible endpoints with the openai client. */
export const PROVIDERS: Record<ProviderName, ProviderSettings> = {
  openai: { keyVar: 'OPENAI_API_KEY', baseUrlVar: 'OPENAI_BASE_URL', defaultBaseUrl: 'https://api.openai.com/v1', defaultModel: 'gpt-4.1-mini' },
  anthropic: { keyVar: 'ANTHROPIC_API_KEY', baseUrlVar: 'ANTHROPIC_BASE_URL', defaultBaseUrl: 'https://api.anthropic.com', defaultModel: 'claude-sonnet-4-6' },
  gemini: {
    keyVar: 'GEMINI_API_KEY',
    baseUrlVar: 'GEMINI_BASE_URL',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    defaultModel: 'gemini-2.5-flash',
  },
  grok: { keyVar: 'XAI_API_KEY', baseUrlVar: 'XAI_BASE_URL', defaultBaseUrl: 'https://api.x.ai/v1', defaultModel: 'grok-4' },
  local: { defaultModel: 'extractive' },
};

export const LOCAL_EXTRACTIVE = 'local:extractive';

/**
 * A model id the worker resolves with defaultModelId() when the call runs. Workflows cannot read
 * the environment, so a flow that names no model can send this and the result says which model
 * answered.
 */
export const DEFAULT_MODEL_ALIAS = 'default';

export interface ModelId {
  provider: ProviderName;
  /** The provider's own model name, e.g. "gpt-4.1-mini". */
  name: string;
  /** "provider:name" */
  id: string;
}

/** The id a call will use: the alias "default" becomes defaultModelId(env); anything else as given. */
export function resolveModelId(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return id === DEFAULT_MODEL_ALIAS ? defaultModelId(env) : id;
}

/** Splits "provider:name"; a bare or unknown provider is a typed, non-retryable error. */
export function parseModelId(id: string): ModelId {
  const at = typeof id === 'string' ? id.indexOf(':') : -1;
  if (at <= 0 || at === id.length - 1) {
    throw new ModelError('bad_model_id', `model id "${String(id)}" must be "provider:model", e.g. "openai:gpt-4.1-mini" or "${LOCAL_EXTRACTIVE}"`, { model: String(id) });
  }
  const provider = id.slice(0, at);
  const name = id.slice(at + 1);
  if (!(provider in PROVIDERS)) {
    throw new ModelError('unknown_provider', `unknown model provider "${provider}" in "${id}"; known: ${Object.keys(PROVIDERS).join(', ')}`, { model: id });
  }
  if (provider === 'local' && name !== 'extractive') {
    throw new ModelError('bad_model_id', `unknown local model "${id}"; the only local model is ${LOCAL_EXTRACTIVE}`, { model: id });
  }
  return { provider: provider as ProviderName, name, id };
}

/**
 * The model used when a flow or chat names none: PAR_DEFAULT_MODEL if set, else the first
 * provider with a key (OpenAI, Anthropic, Gemini, Grok), else the offline local:extractive.
 */
export function defaultModelId(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PAR_DEFAULT_MODEL?.trim();
  if (configured) return parseModelId(configured).id;
  for (const provider of ['openai', 'anthropic', 'gemini', 'grok'] as const) {
    const settings = PROVIDERS[provider];
    if (settings.keyVar && env[settings.keyVar]?.trim()) return `${provider}:${settings.defaultModel}`;
  }
  return LOCAL_EXTRACTIVE;
}
