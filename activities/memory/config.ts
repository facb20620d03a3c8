import { SAME_TOPIC, type SameTopicThresholds } from './same-topic';
import type { MessageFusion } from './conversation-ranking';
// Every number the memory subsystem uses, in one place. docs/memory.md explains each one; the
// seed systems' values are kept where they exist (Memory Vault, Vel, the ReasoningBank paper).
// Pure data: safe to import from workflow code.

export interface MemoryConfig {
  vault: {
    /** Scope of an entry saved without one. */
    defaultScope: string;
    /** Results of a search without a limit. */
    defaultLimit: number;
    /** Largest limit a search may ask for (bigger asks are cut to this). */
    maxLimit: number;
    /** Results below this cosine similarity are dropped. */
    minSimilarity: number;
    /**
     * A save without an id updates the closest entry of the same scope that is the same topic
     * (same-topic.ts: cosine, subjects and update words decide, with these thresholds).
     */
    sameTopic: SameTopicThresholds;
    /** How many of the closest entries the same-topic check looks at. */
    sameTopicCandidates: number;
    /** Largest entry, in characters. */
    maxContentChars: number;
    /** Entries returned by list without a limit. */
    listLimit: number;
  };
  conversation: {
    /** Messages longer than this are split into chunks. */
    chunkChars: number;
    /** Characters each chunk repeats from the one before, so a fact cut at a border is whole in one. */
    chunkOverlap: number;
    /** Messages shorter than this ("ok", "thanks") are not embedded. */
    minMessageChars: number;
    defaultLimit: number;
    maxLimit: number;
    minSimilarity: number;
    /** Only these roles are indexed. */
    roles: string[];
    /**
     * Messages on each side embedded with a message (conversation-indexing.ts), for collections
     * first used from now on: a collection keeps the mode recorded when it was first used.
     */
    neighbours: number;
    /** Characters kept of each neighbour, from the side nearer the message. */
    neighbourChars: number;
    /** With neighbours: each message is also indexed alone (conversation-indexing.ts). */
    alsoAlone: boolean;
    /** How a search ranks the messages of a collection indexed alone and with neighbours (conversation-ranking.ts). */
    fusion: MessageFusion;
  };
  facts: {
    /** Default page of list and prefix search. */
    listLimit: number;
    /** Facts of the run's namespace loaded before a run. */
    namespaceLimit: number;
    /** Facts from any namespace loaded before a run when this similar to the message. */
    minSimilarity: number;
    /** Largest JSON value, in bytes. */
    maxValueBytes: number;
  };
  context: {
    /** Non-system messages sent to the model when the run sets no maxHistory. */
    defaultMaxHistory: number;
  };
  reasoning: {
    /** Advice items per run (Vel's rb_top_k). */
    topK: number;
    /** Weight of the task-signature cosine in the score. */
    similarityWeight: number;
    /** Weight of the item's confidence in the score. */
    confidenceWeight: number;
    /** Items below this confidence are never given as advice. */
    minConfidence: number;
    /** Items whose task signature is less similar than this are not advice for the task. */
    minSimilarity: number;
    /** Confidence of a new item. */
    initialConfidence: number;
    /** Confidence added to a used item after a success, taken after a failure. */
    confidenceStep: number;
    /** Items distilled per run at most (the paper's 3). */
    maxItemsPerRun: number;
    /** A new item this similar (strategy text cosine) to an existing one is merged into it. */
    mergeSimilarity: number;
    /** An item unused for this many days loses decayStep of confidence, once per such period. */
    staleAfterDays: number;
    decayStep: number;
    /** Items below this confidence are deleted. */
    pruneBelow: number;
    /** Most items kept per tenant (lowest confidence, then least recently used, go first). */
    maxItems: number;
    /** Anti-patterns kept per item (oldest go first). */
    maxAntiPatterns: number;
    /** Evidence run ids kept per item (oldest go first). */
    maxEvidenceRuns: number;
  };
  runtime: {
    /** Namespace of a run that sets none. */
    defaultNamespace: string;
  };
  /** Embeddings kept in the in-process LRU cache (keyed by model and text). */
  embeddingCacheSize: number;
}

export const DEFAULT_MEMORY_CONFIG: MemoryConfig = {
  vault: {
    defaultScope: 'private',
    defaultLimit: 5,
    maxLimit: 20,
    minSimilarity: 0.1,
    sameTopic: SAME_TOPIC,
    sameTopicCandidates: 3,
    maxContentChars: 8000,
    listLimit: 1000,
  },
  conversation: {
    chunkChars: 400,
    chunkOverlap: 50,
    minMessageChars: 10,
    defaultLimit: 8,
    maxLimit: 50,
    minSimilarity: 0.3,
    roles: ['user'],
    neighbours: 1,
    neighbourChars: 300,
    alsoAlone: true,
    fusion: { k: 7, lexicalWeight: 0.75, neighbourShare: 0.15, neighbourReach: 3 },
  },
  facts: {
    listLimit: 50,
    namespaceLimit: 20,
    minSimilarity: 0.35,
    maxValueBytes: 64 * 1024,
  },
  context: {
    defaultMaxHistory: 20,
  },
  reasoning: {
    topK: 5,
    similarityWeight: 0.75,
    confidenceWeight: 0.25,
    minConfidence: 0.3,
    minSimilarity: 0.3,
    initialConfidence: 0.5,
    confidenceStep: 0.1,
    maxItemsPerRun: 3,
    mergeSimilarity: 0.85,
    staleAfterDays: 30,
    decayStep: 0.05,
    pruneBelow: 0.2,
    maxItems: 1000,
    maxAntiPatterns: 10,
    maxEvidenceRuns: 20,
  },
  runtime: {
    defaultNamespace: 'default',
  },
  embeddingCacheSize: 5000,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type MemoryConfigOverrides = DeepPartial<MemoryConfig>;

/** The defaults with some numbers replaced. */
export function resolveMemoryConfig(overrides: MemoryConfigOverrides = {}): MemoryConfig {
  const d = DEFAULT_MEMORY_CONFIG;
  return {
    vault: { ...d.vault, ...overrides.vault, sameTopic: { bias: overrides.vault?.sameTopic?.bias ?? d.vault.sameTopic.bias, weights: { ...d.vault.sameTopic.weights, ...overrides.vault?.sameTopic?.weights } } },
    conversation: { ...d.conversation, ...overrides.conversation, fusion: { ...d.conversation.fusion, ...overrides.conversation?.fusion } },
    facts: { ...d.facts, ...overrides.facts },
    context: { ...d.context, ...overrides.context },
    reasoning: { ...d.reasoning, ...overrides.reasoning },
    runtime: { ...d.runtime, ...overrides.runtime },
    embeddingCacheSize: overrides.embeddingCacheSize ?? d.embeddingCacheSize,
  };
}
