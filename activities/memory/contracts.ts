// Request and response types of every memory activity. Types only: workflow code imports this
// file, so it must stay free of Node APIs.
import type { JsonValue, ModelMessage } from '../contracts';

// ---- Memory Vault (curated facts the model saves) ----------------------------------------

export interface MemoryEntry {
  id: string;
  tenant: string;
  content: string;
  /** Partition inside a tenant, e.g. "private" (default) or "project:apollo". */
  scope: string;
  created: string;
  updated: string;
  /** Soft delete: set when deleted, null when live. Deleted entries can be restored. */
  deleted: string | null;
}

export interface ScoredMemoryEntry extends MemoryEntry {
  /** Cosine similarity to the query. */
  similarity: number;
  /** The cross-encoder's score (higher is more relevant), when the search was reranked (PAR_RERANK_MODEL). */
  rerankScore?: number;
}

export interface MemoryVaultSaveRequest {
  tenant: string;
  content: string;
  scope?: string;
  /** Update this entry; an unknown id is an error, never a silent create. */
  id?: string;
}

/**
 * What a save will do, decided before anything is written. The ids are fixed here so a retried
 * commit of the same plan never writes twice; the `ask` confirmation shows it to a person.
 */
export interface SavePlan {
  planId: string;
  tenant: string;
  action: 'add' | 'update';
  targetId: string;
  content: string;
  /** For updates: what the entry says now, so the approver sees the change. */
  previousContent?: string;
  scope: string;
  /** For an update found by topic (no id given): how similar the existing entry was. */
  matchedSimilarity?: number;
}

export interface MemoryVaultSearchRequest {
  tenant: string;
  query: string;
  /** Default 5, capped at 20. */
  limit?: number;
  /** Default 0.1. */
  minSimilarity?: number;
  /** Only these scopes; all of the tenant's scopes when absent. */
  scopes?: string[];
  /** false: keep the store's order when a cross-encoder is configured (PAR_RERANK_MODEL). */
  rerank?: boolean;
}

export interface MemoryVaultSearchResult {
  entries: ScoredMemoryEntry[];
}

export interface MemoryVaultListRequest {
  tenant: string;
  scope?: string;
  /** List the soft-deleted entries instead of the live ones. */
  deleted?: boolean;
  limit?: number;
}

// ---- conversation memory engine ----------------------------------------------------------

export interface ConversationMessage {
  role: ModelMessage['role'];
  content: string;
  /** Position in the session; defaults to the array position. Makes re-indexing idempotent. */
  index?: number;
}

export interface ConversationIndexRequest {
  tenant: string;
  sessionId: string;
  messages: ConversationMessage[];
}

export interface ConversationIndexResult {
  /** Chunks embedded by this call (already indexed ones are skipped). */
  indexedChunks: number;
  skippedMessages: number;
  /** Older chunks of these messages replaced by this call (an edit, or a neighbour that arrived since). */
  replacedChunks?: number;
}

export interface ConversationSearchRequest {
  tenant: string;
  query: string;
  /** Default 8. */
  limit?: number;
  /** Default 0.3. */
  minSimilarity?: number;
  /** Only this session. */
  sessionId?: string;
  /** Leave this session out (usually the current one, whose messages are already in context). */
  excludeSessionId?: string;
  /** false: rank by meaning only. Default: meaning fused with keywords (BM25). */
  hybrid?: boolean;
  /** false: keep the fused order when a cross-encoder is configured (PAR_RERANK_MODEL). */
  rerank?: boolean;
}

export interface ConversationHit {
  sessionId: string;
  messageIndex: number;
  chunkIndex: number;
  role: string;
  text: string;
  similarity: number;
  /** The cross-encoder's score (higher is more relevant), when the search was reranked (PAR_RERANK_MODEL). */
  rerankScore?: number;
}

export interface ConversationSearchResult {
  hits: ConversationHit[];
}

// ---- Fact Store --------------------------------------------------------------------------

export interface Fact {
  namespace: string;
  key: string;
  value: JsonValue;
  created: string;
  updated: string;
}

export interface FactPutRequest {
  tenant: string;
  namespace: string;
  key: string;
  value: JsonValue;
}

export interface FactListRequest {
  tenant: string;
  namespace: string;
  /** Keys starting with this prefix. */
  prefix?: string;
  /** Default 50. */
  limit?: number;
}

// ---- context manager ---------------------------------------------------------------------

export interface ContextAppendRequest {
  tenant: string;
  sessionId: string;
  messages: ModelMessage[];
  /**
   * Sequence number of the first message. Pass it from workflow code so a retried append
   * overwrites instead of duplicating; without it the messages go after the last stored one.
   */
  startIndex?: number;
}

export interface ContextAppendResult {
  /** Messages stored for the session after the append. */
  total: number;
}

export interface ContextLoadRequest {
  tenant: string;
  sessionId: string;
  /** How many recent non-system messages to return (default 20); the stored history is kept. */
  maxHistory?: number;
}

export interface ContextLoadResult {
  messages: ModelMessage[];
  total: number;
}

// ---- ReasoningBank -----------------------------------------------------------------------

export interface ReasoningItem {
  id: string;
  title: string;
  description: string;
  content: string;
  taskSignature: string;
  antiPatterns: string[];
  evidenceRunIds: string[];
  confidence: number;
  created: string;
  updated: string;
  lastUsed: string | null;
}

export interface ScoredReasoningItem extends ReasoningItem {
  similarity: number;
  /** 0.75 x similarity + 0.25 x confidence (weights configurable). */
  score: number;
}

// ---- runtime-owned memory ----------------------------------------------------------------

export type MemoryMode = 'none' | 'facts' | 'reasoning' | 'all';

/** The `memory` block of a flow definition or a run. */
export interface RunMemoryConfig {
  mode: MemoryMode;
  /** Advice items and similar facts to load (default 5). */
  topK?: number;
  /** Fact namespace of the run, e.g. "user:ada" (default "default"). */
  namespace?: string;
  /** What kind of task this is; defaults to the run's first user message. */
  taskSignature?: string;
  /** A model for the ReasoningBank judge/distiller; "local:extractive" = no model. */
  model?: string;
}

export interface MemoryLoadContextRequest {
  tenant: string;
  mode: MemoryMode;
  taskSignature: string;
  namespace?: string;
  /** The run's message, for facts relevant by similarity. */
  message: string;
  topK?: number;
}

export interface MemoryLoadContextResult {
  /** Text to add to the system prompt ("" when nothing was found). */
  systemPrompt: string;
  /** "namespace/key" of every fact included. */
  factKeys: string[];
  /** ReasoningBank items included; pass them back as usedAdviceIds after the run. */
  adviceIds: string[];
}

export interface NewFact {
  namespace: string;
  key: string;
  value: JsonValue;
}

export interface MemoryLearnAfterRunRequest {
  tenant: string;
  mode: MemoryMode;
  runId: string;
  taskSignature: string;
  /** Set by the flow: trusted over any judge. */
  outcome?: 'success' | 'failure';
  transcript: ModelMessage[];
  usedAdviceIds: string[];
  newFacts?: NewFact[];
  model?: string;
}

export interface MemoryLearnAfterRunResult {
  outcome: 'success' | 'failure' | 'unknown';
  /** "explicit" (the flow said), "model" (a model judged) or "none" (could not judge). */
  judgedBy: 'explicit' | 'model' | 'none';
  /** "model" or "extractive" (the documented non-model method); absent when nothing was distilled. */
  distilledBy?: 'model' | 'extractive';
  createdIds: string[];
  /** Distilled items folded into an existing near-duplicate instead of being added. */
  mergedIds: string[];
  /** Used items whose confidence moved. */
  updatedIds: string[];
  decayedIds: string[];
  prunedIds: string[];
  storedFactKeys: string[];
}
