import type { GenerateRequest, ModelToolCall, ModelUsage } from '../contracts';

/** One call to one provider's model, in provider-neutral terms (the request's fields as given). */
export interface ModelCall extends Pick<GenerateRequest, 'messages' | 'temperature' | 'maxTokens' | 'tools' | 'context'> {
  /** The provider's own model name (no "provider:" prefix). */
  model: string;
  /** A template with {context} and {content} used to render the context; a default otherwise. */
  promptTemplate?: string;
  /** Stream tokens as they arrive (SSE) instead of one JSON response. */
  stream: boolean;
  /** Called per text chunk when streaming, and on every other chunk with '' (for heartbeats). */
  onChunk?: (text: string) => void;
  signal?: AbortSignal;
  /** Fails the call with a retryable first_token_timeout if nothing arrives in time (streaming). */
  firstTokenTimeoutMs?: number;
}

export interface ModelCallOutput {
  text: string;
  toolCalls: ModelToolCall[];
  usage: ModelUsage;
  finishReason: 'stop' | 'length' | 'tool_calls';
}

/** The model port: one adapter per provider protocol. Adapters throw only ModelError. */
export interface ChatModel {
  generate(call: ModelCall): Promise<ModelCallOutput>;
}
