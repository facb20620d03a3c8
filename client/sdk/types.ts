// What the PAR API sends and takes, for SDK users. Shapes of the services behind it are
// re-exported from their own modules so the two cannot drift.
export type { JsonValue, ModelMessage, VaultItem, ScoredVaultItem, ContextItem, ModelUsage } from '../../activities/contracts';
export type { StreamEvent } from '../../activities/streams/port';
import type { JsonValue, ModelMessage, ScoredVaultItem } from '../../activities/contracts';
import type { StreamEvent } from '../../activities/streams/port';

export interface SearchOptions {
  n?: number;
  filter?: Record<string, JsonValue>;
  history?: ModelMessage[];
  smartHistorySearch?: boolean;
  model?: string;
}

export interface SearchResult {
  items: ScoredVaultItem[];
  searchQuery: string;
  shortfalls?: { vault: string; wanted: number; got: number }[];
}

export interface ChatRequest {
  message: string;
  model?: string;
  history?: ModelMessage[];
  vault?: string;
  vaults?: string[] | Record<string, number | null>;
  n?: number;
  temperature?: number;
  maxTokens?: number;
  smartHistorySearch?: boolean;
  promptTemplate?: string;
}

/** A streamed event with its id (usable as Last-Event-ID). */
export type StreamedEvent = StreamEvent & { id?: number };

export interface StartRunRequest {
  definition?: Record<string, unknown>;
  message?: string;
  history?: ModelMessage[];
  variables?: Record<string, JsonValue>;
  sessionId?: string;
  runId?: string;
  tenant?: string;
}

export interface StartedRun {
  runId: string;
  flowId: string;
  events: string;
}

export interface Decision {
  runId: string;
  decision: 'approve' | 'reject';
  by: string;
  node?: string;
}

export interface WhoAmI {
  keyId: string;
  name: string;
  grants: { vaults: Record<string, 'read' | 'write' | 'admin'>; flows: string[] };
  summary: string;
  insecureLocal: boolean;
}
