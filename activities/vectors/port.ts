import type { JsonValue } from '../contracts';

/**
 * The vector store port. Adapters: an embedded store under the data folder (default) and Qdrant.
 * One collection per embedding model (name derived from model + dimension); the tenant (a vault,
 * a memory scope...) is a keyword field every query filters on, as Qdrant recommends.
 */
export interface VectorRecord {
  id: string;
  tenant: string;
  vector: Float32Array;
  payload: Record<string, JsonValue>;
  /** The text searched by keywords (BM25) in a hybrid query; kept by the store. */
  text?: string;
}

export interface VectorHit {
  id: string;
  tenant: string;
  /** Cosine similarity, higher is closer. */
  score: number;
  payload: Record<string, JsonValue>;
  /** In a hybrid query: the BM25 score when the record matched the query's keywords. */
  lexical?: number;
  /**
   * In a hybrid query: the hit's 1-based places in the vector and in the BM25 ranking that were
   * fused (absent from a ranking it was not among the candidates of), so a caller can fuse
   * differently (conversation memory ranks messages, not records: memory/conversation-ranking.ts).
   */
  ranks?: { vector?: number; lexical?: number };
}

export interface VectorQuery {
  /** One tenant or several; never empty: a query always stays inside its tenants. */
  tenants: string[];
  vector: Float32Array;
  limit: number;
  /** Exact-match conditions on payload fields. */
  filter?: Record<string, JsonValue>;
  /**
   * Hybrid search: the query's text. The vector ranking and a BM25 ranking over the records'
   * `text` are fused (weighted reciprocal rank fusion, lexical-index.ts); hits keep their cosine
   * `score` and come back in fused order.
   */
  text?: string;
}

export interface VectorStore {
  readonly kind: string;
  ensureCollection(collection: string, dimension: number): Promise<void>;
  upsert(collection: string, records: VectorRecord[]): Promise<void>;
  query(collection: string, q: VectorQuery): Promise<VectorHit[]>;
  get(collection: string, tenant: string, ids: string[]): Promise<VectorRecord[]>;
  delete(collection: string, tenant: string, ids: string[]): Promise<void>;
  deleteTenant(collection: string, tenant: string): Promise<void>;
  count(collection: string, tenant: string, filter?: Record<string, JsonValue>): Promise<number>;
  /** Pages through a tenant's records in a stable order. */
  scroll(collection: string, tenant: string, opts: { limit: number; cursor?: string; filter?: Record<string, JsonValue> }): Promise<{ records: VectorRecord[]; cursor?: string }>;
  listTenants(collection: string): Promise<string[]>;
  /** Every collection in the store, sorted (to find one written by another embedding model). */
  listCollections(): Promise<string[]>;
  close(): Promise<void>;
}
