// The inputs and outputs of every activity the flow engine calls. Types only: workflows import
// this file, so it must stay free of Node APIs. Each activity's implementation lives in its
// domain folder (activities/models, activities/vaults, activities/act, activities/memory).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ---- models (activities/models) ----------------------------------------------------------

export interface ModelMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** For role "tool": the id of the call this answers. */
  toolCallId?: string;
  /** For role "assistant": the tool calls the model made. */
  toolCalls?: ModelToolCall[];
}

export interface ModelToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ModelToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Context handed to the model (retrieved vault items); local:extractive answers only from it. */
export interface ContextItem {
  id?: string;
  vault?: string;
  text: string;
  score?: number;
}

export interface GenerateRequest {
  /** Provider-qualified id: "openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5", "local:extractive". */
  model: string;
  messages: ModelMessage[];
  /** Sent as given, 0 included; left to the provider's default only when undefined. */
  temperature?: number;
  maxTokens?: number;
  tools?: ModelToolSpec[];
  /** Retrieved context. Remote adapters render it into the prompt (see models/render-context.ts). */
  context?: ContextItem[];
  /** When set, tokens are published to this stream channel as they arrive (see activities/streams). */
  streamChannel?: string;
}

export interface GenerateResult {
  text: string;
  toolCalls: ModelToolCall[];
  usage: ModelUsage;
  model: string;
  latencyMs: number;
  finishReason: 'stop' | 'length' | 'tool_calls';
}

export type DecisionKind = 'recognize' | 'choose' | 'number' | 'extract';

/** A structured decision: recognize (yes/no), choose (one of options), number, extract (a field). */
export interface DecideRequest {
  model: string;
  kind: DecisionKind;
  /** What to decide, e.g. "Is the user asking for a refund?" or the field description. */
  instruction: string;
  message: string;
  history?: ModelMessage[];
  /** For kind "choose". */
  options?: string[];
}

export interface DecideResult {
  kind: DecisionKind;
  /** recognize: boolean; choose: the option text; number: number or null; extract: string or null. */
  answer: boolean | number | string | null;
  /** For kind "choose": index into options. */
  optionIndex?: number;
  /** A short why (the local model says which sentence or similarity decided). */
  reason?: string;
  usage: ModelUsage;
  model: string;
  latencyMs: number;
}

// ---- vaults (activities/vaults) ----------------------------------------------------------

export interface VaultItem {
  id: string;
  vault: string;
  text: string;
  metadata: Record<string, JsonValue>;
  created: string;
  updated: string;
}

export interface ScoredVaultItem extends VaultItem {
  score: number;
  /** The cross-encoder's score (higher is more relevant), when the search was reranked (PAR_RERANK_MODEL). */
  rerankScore?: number;
}

export interface VaultSearchRequest {
  /** One vault, a list (global top n), or per-vault minimums (null or 0 = fill only). */
  vault?: string;
  vaults?: string[] | Record<string, number | null>;
  query: string;
  n?: number;
  filter?: Record<string, JsonValue>;
  /** For smart history search: the conversation so far. */
  history?: ModelMessage[];
  smartHistorySearch?: boolean;
  /** Model used to rewrite the query when smartHistorySearch is on (offline method otherwise). */
  model?: string;
}

export interface VaultSearchResult {
  items: ScoredVaultItem[];
  /** The text actually searched for (the rewritten query with smart history search). */
  searchQuery: string;
  /** Vaults that could not meet their minimum. */
  shortfalls?: { vault: string; wanted: number; got: number }[];
}

export interface VaultAddRequest {
  vault: string;
  text: string;
  metadata?: Record<string, JsonValue>;
}

export interface VaultAddResult {
  ids: string[];
}

/** Key-value storage per account/vault (the Storage node). */
export interface KvRequest {
  op: 'get' | 'set' | 'delete';
  namespace: string;
  key: string;
  value?: JsonValue;
}

export interface KvResult {
  found: boolean;
  value?: JsonValue;
}

// ---- act (activities/act) ----------------------------------------------------------------

export interface ActLimits {
  timeoutMs?: number;
  memoryMb?: number;
  outputBytes?: number;
}

export interface ActRequest {
  code: string;
  variables: Record<string, JsonValue>;
  message: string;
  history: ModelMessage[];
  limits?: ActLimits;
  /** Hosts the script may reach; none by default. */
  allowedHosts?: string[];
  /** The run's vault and model, reachable from Python as `vault.search(...)` / `vault.chat(...)`. */
  vault?: string;
  model?: string;
  /** The flow run, for logs and to keep sandboxes from being shared between runs. */
  runId: string;
}

export interface ActResult {
  ok: boolean;
  /** Variables written through save['name'] = value. */
  saved: Record<string, JsonValue>;
  /** Everything printed (truncated at the output limit). */
  output: string;
  error?: {
    type: string;
    message: string;
    traceback?: string;
    /** Set when a limit killed the sandbox. */
    limit?: 'time' | 'memory' | 'output';
  };
  durationMs: number;
}
