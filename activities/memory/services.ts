import { CachedEmbedder, sharedDefaultEmbedder } from '../embeddings';
import { sharedRerankStage, type RerankStage } from '../rerank';
import type { Embedder } from '../embeddings/port';
import { ModelRouter } from '../models/router';
import { createDefaultVectorStore } from '../vectors';
import type { VectorStore } from '../vectors/port';
import { resolveMemoryConfig, type MemoryConfig, type MemoryConfigOverrides } from './config';
import { ContextStore } from './context-store';
import { ConversationMemory } from './conversation-memory';
import { FactStore } from './fact-store';
import { MemoryVault } from './memory-vault';
import { ReasoningBank } from './reasoning-bank';
import type { LearnerModels } from './reasoning-learner';
import { MemoryRuntime } from './runtime-memory';
import { openStoreDatabase, type DatabaseTarget } from '../db';
import type { MemoryDb } from './memory-db';
import { VectorSpace } from './vector-space';

type Provider<T> = T | (() => T | Promise<T>);

export interface MemoryDeps {
  /** The memory stores' database; default: PAR_DATABASE_URL, else <PAR_DATA_DIR>/memory.sqlite. */
  database?: DatabaseTarget;
  /** Shorthand for a SQLite database file. */
  dbFile?: string;
  /** Default: sharedDefaultEmbedder(), the process-wide local model (e5-small-v2). */
  embedder?: Provider<Embedder>;
  /** Default: createDefaultVectorStore() (embedded, or Qdrant when QDRANT_URL is set). */
  vectorStore?: Provider<VectorStore>;
  /** The searches' rerank stage; default: sharedRerankStage(), a cross-encoder when PAR_RERANK_MODEL names one. */
  rerank?: Provider<RerankStage | undefined>;
  /** Judge/distiller models for the ReasoningBank; default: the model router. */
  models?: LearnerModels;
  config?: MemoryConfigOverrides;
}

/** Every memory store over one database (SQLite or PostgreSQL), one embedder and one vector store. */
export interface MemoryServices {
  config: MemoryConfig;
  db: MemoryDb;
  embedder: Embedder;
  vectorStore: VectorStore;
  vault: MemoryVault;
  conversations: ConversationMemory;
  facts: FactStore;
  context: ContextStore;
  reasoning: ReasoningBank;
  runtime: MemoryRuntime;
  close(): Promise<void>;
}

export async function createMemoryServices(deps: MemoryDeps = {}): Promise<MemoryServices> {
  const config = resolveMemoryConfig(deps.config);
  const rawEmbedder = await resolve(deps.embedder, () => sharedDefaultEmbedder());
  // The seed caches embeddings by content; the default embedder already does, others get the cache here.
  const embedder = rawEmbedder instanceof CachedEmbedder ? rawEmbedder : new CachedEmbedder(rawEmbedder, { cacheSize: config.embeddingCacheSize });
  const vectorStore = await resolve(deps.vectorStore, () => createDefaultVectorStore());
  const rerank = await resolve(deps.rerank, () => sharedRerankStage());
  const store = await openStoreDatabase('memory', { target: deps.database ?? (deps.dbFile ? { kind: 'sqlite', file: deps.dbFile } : undefined) });
  const db = store.db;
  const models = deps.models ?? routerModels();
  const facts = new FactStore(db, new VectorSpace('memory_facts', embedder, vectorStore), config.facts);
  const reasoning = new ReasoningBank(db, new VectorSpace('memory_reasoning', embedder, vectorStore), config.reasoning);
  return {
    config,
    db,
    embedder,
    vectorStore,
    vault: new MemoryVault(db, new VectorSpace('memory_vault', embedder, vectorStore), config.vault, rerank),
    conversations: new ConversationMemory(db, new VectorSpace('memory_conversations', embedder, vectorStore), config.conversation, rerank),
    facts,
    context: new ContextStore(db, config.context),
    reasoning,
    runtime: new MemoryRuntime(db, facts, reasoning, models, config),
    async close() {
      await store.release();
      await vectorStore.close();
    },
  };
}

async function resolve<T>(given: Provider<T> | undefined, fallback: () => Promise<T>): Promise<T> {
  if (given === undefined) return fallback();
  return typeof given === 'function' ? await (given as () => T | Promise<T>)() : given;
}

/** The model router, created on first use: only runs with a real judge model need it. */
function routerModels(): LearnerModels {
  let router: ModelRouter | undefined;
  const get = () => (router ??= new ModelRouter());
  return {
    generate: (req) => get().generate(req),
    decide: (req) => get().decide(req),
  };
}
