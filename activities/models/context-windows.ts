import { parseModelId } from './model-id';

/**
 * Context windows in tokens, from the providers' model pages, matched by the longest prefix
 * of the model name. The chat library trims history to fit these.
 */
export const CONTEXT_WINDOWS: Record<string, number> = {
  'openai:gpt-4.1': 1_047_576,
  'openai:gpt-4o': 128_000,
  'openai:gpt-4-turbo': 128_000,
  'openai:gpt-4': 8_192,
  'openai:gpt-3.5-turbo': 16_385,
  'openai:gpt-5': 400_000,
  'openai:o1': 200_000,
  'openai:o3': 200_000,
  'openai:o4-mini': 200_000,
  'anthropic:claude': 200_000,
  'gemini:gemini-2.5': 1_048_576,
  'gemini:gemini-2.0': 1_048_576,
  'gemini:gemini-1.5-pro': 2_097_152,
  'gemini:gemini-1.5-flash': 1_048_576,
  'grok:grok-4': 256_000,
  'grok:grok-3': 131_072,
  'grok:grok-2': 131_072,
  // The extractive model reads only the last message and the context; this bounds what the
  // chat library sends it, like any other model.
  'local:extractive': 32_768,
};

/** For a model missing from the table: small enough for any current chat model. */
export const UNKNOWN_MODEL_CONTEXT_WINDOW = 32_768;

export function contextWindow(modelId: string): number {
  const { id } = parseModelId(modelId);
  let best: string | undefined;
  for (const prefix of Object.keys(CONTEXT_WINDOWS)) {
    if (id.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  return best ? CONTEXT_WINDOWS[best]! : UNKNOWN_MODEL_CONTEXT_WINDOW;
}
