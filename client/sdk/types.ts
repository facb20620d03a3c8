// What the PAR API sends and takes, for SDK users. Shapes of the services behind it are
// re-exported from their own modules so the two cannot drift.
export type { JsonValue, ModelMessage, VaultItem, ScoredVaultItem, ContextItem, ModelUsage } from '../../activities/contracts';
export type { StreamEvent } from '../../activities/streams/port';
export type { VaultExport } from '../../activities/vaults/vault-transfer';
export type { MemoryEntry, ScoredMemoryEntry, SavePlan, Fact } from '../../activities/memory/contracts';
export type { ScoredFact } from '../../activities/memory/fact-store';
export type { ReasoningItem, ScoredReasoningItem } from '../../activities/memory/contracts';
export type { NodeTypeDescription as NodeType } from '../../workflows/nodes/catalogue';
export type { ParamSpec, ParamKind, OutputSpec } from '../../workflows/nodes/node-spec';
export type { FlowDefinition, RunState, PendingApproval, DecidedApproval } from '../../workflows/flow/types';
export type { ValidationIssue } from '../../workflows/flow/validation-issue';
export type { InboxApproval } from '../services/approval-inbox';
import type { ContextItem, JsonValue, ModelMessage, ScoredVaultItem } from '../../activities/contracts';
import type { MemoryEntry, ReasoningItem, SavePlan } from '../../activities/memory/contracts';
import type { StreamEvent } from '../../activities/streams/port';
import type { ChatWithContext } from '../../activities/chat/types';
import type { FlowDefinition } from '../../workflows/flow/types';
import type { RunSummary as ServiceRunSummary } from '../services/flows';

export interface SearchOptions {
  n?: number;
  filter?: Record<string, JsonValue>;
  history?: ModelMessage[];
  smartHistorySearch?: boolean;
  model?: string;
  /** false: the store's order even when the server has a cross-encoder (PAR_RERANK_MODEL). */
  rerank?: boolean;
}

export interface SearchResult {
  items: ScoredVaultItem[];
  searchQuery: string;
  shortfalls?: { vault: string; wanted: number; got: number }[];
}

/** POST /v1/chat and /v1/chat/stream: the same type the API validates against. */
export type { ChatRequest } from '../api/services';

/** POST /v1/chat: the answer, the context it was given and what was searched for. */
export type ChatResult = ChatWithContext;

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
  /** A stored version of the flow (default: the latest stored version, else the flow file). */
  version?: number;
}

export interface StartedRun {
  runId: string;
  flowId: string;
  /** The stored version the run is pinned to (absent for flow files and inline definitions). */
  flowVersion?: number;
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

/** POST /v1/memories/{tenant}: what the save did (add, or update of the same-topic entry) and the entry. */
export interface MemorySaveResult {
  plan: SavePlan;
  entry: MemoryEntry;
}

/** GET /v1/reasoning/{tenant}: highest confidence first (then most recently updated), at most `limit`; `total` counts them all. */
export interface ReasoningItemList {
  items: ReasoningItem[];
  total: number;
}

/** DELETE /v1/reasoning/{tenant}/{id}: the id and the item as it was. */
export interface ReasoningDeleted {
  deleted: string;
  item: ReasoningItem;
}

export interface MemorySearchRequest {
  query: string;
  /** 1 to 20 (default 5). */
  limit?: number;
  minSimilarity?: number;
  scopes?: string[];
  /** false: the fused order even when the server has a cross-encoder (PAR_RERANK_MODEL). */
  rerank?: boolean;
}

/** GET /v1/flows: a stored flow (its latest version) or a flow file. */
export interface FlowSummary {
  id: string;
  /** The latest stored version; null for a flow file. */
  version: number | null;
  updatedAt: string | null;
  /** Name of the API key that saved it (null for files). */
  updatedBy: string | null;
  source: 'store' | 'file';
}

/** GET /v1/flows/{flow}: the latest stored version, else the flow file. */
export interface FlowDocument extends FlowSummary {
  definition: FlowDefinition;
  /** Where the studio drew each node when this version was saved (absent: lay it out automatically). */
  layout?: FlowLayout;
}

/** A drawing of a flow: each node's position by node id. Saved with a version; the engine never reads it. */
export type FlowLayout = Record<string, { x: number; y: number }>;

/** One stored version of a flow. */
export interface FlowVersion {
  version: number;
  createdAt: string;
  createdBy: string;
  message: string | null;
}

export interface StoredFlowVersion extends FlowVersion {
  id: string;
  definition: FlowDefinition;
  layout?: FlowLayout;
  source: 'store';
}

export interface SavedFlow {
  id: string;
  version: number;
  createdAt: string;
  createdBy: string;
  /** For a rollback: the version whose definition was saved again. */
  rolledBackTo?: number;
}

export interface SaveFlowRequest {
  definition: FlowDefinition | Record<string, unknown>;
  message?: string;
  /** The version the edit started from (0: a new flow); a 409 version_conflict when it is not the latest. */
  baseVersion?: number;
  /** Node positions to save with this version (positions of nodes not in the definition are dropped). */
  layout?: FlowLayout;
}

/** GET /v1/runs filters. */
export interface RunFilter {
  flow?: string;
  /** A stored version of the flow. */
  version?: number;
  status?: string;
  /** Text filter over run id, flow, session and status. */
  q?: string;
  limit?: number;
}

/** A run as GET /v1/runs lists it: the flow service's summary; the API lists only runs that name their flow. */
export type RunSummary = ServiceRunSummary & { flowId: string };

/** POST /v1/act/run: try act code alone. */
export interface ActRunRequest {
  code: string;
  variables?: Record<string, JsonValue>;
  message?: string;
  /** The flow being edited (the key needs its grant). */
  flow?: string;
  vault?: string;
  model?: string;
  timeoutMs?: number;
  memoryMb?: number;
}

export interface ActRunResult {
  ok: boolean;
  /** Variables the script wrote through save['name']. */
  save: Record<string, JsonValue>;
  stdout: string;
  error: { type: string; message: string; traceback?: string; limit?: 'time' | 'memory' | 'output' } | null;
  durationMs: number;
  runId: string;
}
