// The model layer: provider adapters behind one port, the offline extractive model, and the
// activities the flow engine calls.
export { createModelActivities, type ModelActivities, type ModelActivityDeps, type PublishStreamEvent } from './activities';
export { ModelError, toApplicationFailure, type ModelErrorCode } from './errors';
export { defaultModelId, parseModelId, resolveModelId, DEFAULT_MODEL_ALIAS, LOCAL_EXTRACTIVE, PROVIDERS, type ModelId, type ProviderName } from './model-id';
export { ModelRouter, type CallOptions, type ModelRouterOptions } from './router';
export { contextWindow, CONTEXT_WINDOWS } from './context-windows';
export { EmbeddingSimilarity, LexicalSimilarity, type TextSimilarity } from './similarity';
export { EXTRACTIVE_DISCLOSURE } from './extractive-model';
export { DEFAULT_PROMPT_TEMPLATE } from './render-context';
