/**
 * Qdrant adapter (@qdrant/js-client-rest 1.19). One Qdrant collection per PAR collection (one per
 * embedding model); the tenant is a keyword payload field indexed with is_tenant and every
 * request filters on it. Qdrant point ids must be UUIDs, so a record's id is hashed with its
 * tenant into one and kept in the payload; the caller's payload sits under `data`, so its
 * field names can never collide with ours.
 *
 * Hybrid search: collections carry a sparse vector `bm25` (Qdrant applies the IDF, `modifier:
 * idf`) holding each record's keyword term frequencies (lexical-index.ts). A hybrid query asks
 * Qdrant for the dense and the sparse ranking in one batch and fuses them here, exactly as the
 * embedded store does. A collection made before this has no sparse vector: there the keyword
 * ranking covers the dense candidates only (their text travels in the payload).
 */
import { QdrantClient } from '@qdrant/js-client-rest';
import type { JsonValue } from '../contracts';
import { derivedUuid } from './derived-uuid';
import { VectorStoreError } from './errors';
import { validateFilter } from './filter';
import { fuseRankings, HYBRID_CANDIDATES, LEXICAL_WEIGHT, LexicalIndex, sparseDocument, sparseQuery } from './lexical-index';
import type { VectorHit, VectorQuery, VectorRecord, VectorStore } from './port';

const TENANT_FIELD = 'tenant';
const UPSERT_BATCH = 128;
/** The sparse (keyword) vector's name; the dense vector is the unnamed default (""). */
const SPARSE = 'bm25';

type QdrantFilter = { must: Record<string, unknown>[] };

interface StoredPayload {
  tenant: string;
  record_id: string;
  data: Record<string, JsonValue>;
  /** VectorRecord.text, when the record has one. */
  text?: string;
}

type ScoredPoint = { id: string | number; score: number; payload?: Record<string, unknown> | null; vector?: unknown };

function denseOf(vector: unknown): number[] | undefined {
  if (Array.isArray(vector)) return vector as number[];
  const v = (vector as Record<string, unknown> | null | undefined)?.[''];
  return Array.isArray(v) ? (v as number[]) : undefined;
}

/** Qdrant's point id of a record: a UUID derived from tenant and record id. */
export function pointId(tenant: string, id: string): string {
  return derivedUuid([tenant, id]);
}

function tenantCondition(tenants: string[]): Record<string, unknown> {
  return tenants.length === 1 ? { key: TENANT_FIELD, match: { value: tenants[0] } } : { key: TENANT_FIELD, match: { any: tenants } };
}

function buildFilter(tenants: string[], filter?: Record<string, JsonValue>): QdrantFilter {
  const must = [tenantCondition(tenants)];
  for (const [key, value] of Object.entries(validateFilter(filter))) must.push({ key: `data.${key}`, match: { value } });
  return { must };
}

function status(err: unknown): number | undefined {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  timeoutMs?: number;
}

export class QdrantVectorStore implements VectorStore {
  readonly kind = 'qdrant';
  private readonly client: QdrantClient;
  /** Collections checked by ensureCollection: their dimension and whether they have the sparse vector. */
  private readonly known = new Map<string, { dimension: number; sparse: boolean }>();

  constructor(opts: QdrantStoreOptions) {
    this.client = new QdrantClient({ url: opts.url, apiKey: opts.apiKey, checkCompatibility: false, timeout: opts.timeoutMs ?? 30_000 });
  }

  private async call<T>(collection: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof VectorStoreError) throw err;
      if (status(err) === 404) throw new VectorStoreError(`collection ${collection} does not exist in Qdrant (ensureCollection first)`, 'unknown_collection');
      throw new VectorStoreError(`Qdrant ${what} on ${collection} failed: ${(err as Error).message}`, 'backend');
    }
  }

  async ensureCollection(collection: string, dimension: number): Promise<void> {
    if (this.known.get(collection)?.dimension === dimension) return;
    const { exists } = await this.call(collection, 'collection check', () => this.client.collectionExists(collection));
    if (!exists) {
      try {
        await this.client.createCollection(collection, { vectors: { size: dimension, distance: 'Cosine' }, sparse_vectors: { [SPARSE]: { modifier: 'idf' } } });
      } catch (err) {
        // Another process may have created it first; the dimension check below still applies.
        if (status(err) !== 409) throw new VectorStoreError(`Qdrant could not create ${collection}: ${(err as Error).message}`, 'backend');
      }
      await this.call(collection, 'tenant index', () =>
        this.client.createPayloadIndex(collection, { wait: true, field_name: TENANT_FIELD, field_schema: { type: 'keyword', is_tenant: true } }),
      );
    }
    const info = await this.call(collection, 'collection info', () => this.client.getCollection(collection));
    const vectors = info.config?.params?.vectors as { size?: number } | undefined;
    if (vectors?.size !== undefined && vectors.size !== dimension) {
      throw new VectorStoreError(`collection ${collection} holds ${vectors.size}-d vectors, not ${dimension}-d`, 'dimension_mismatch');
    }
    const sparse = !!(info.config?.params?.sparse_vectors as Record<string, unknown> | null | undefined)?.[SPARSE];
    this.known.set(collection, { dimension, sparse });
  }

  /** Whether the collection has the keyword vector (asks Qdrant once if ensureCollection was not called here). */
  private async hasSparse(collection: string): Promise<boolean> {
    const known = this.known.get(collection);
    if (known) return known.sparse;
    const info = await this.call(collection, 'collection info', () => this.client.getCollection(collection));
    return !!(info.config?.params?.sparse_vectors as Record<string, unknown> | null | undefined)?.[SPARSE];
  }

  async upsert(collection: string, records: VectorRecord[]): Promise<void> {
    const dimension = this.known.get(collection)?.dimension;
    for (const r of records) {
      if (!r.id || typeof r.id !== 'string') throw new VectorStoreError(`record id must be a non-empty string (collection ${collection})`, 'bad_record');
      if (!r.tenant) throw new VectorStoreError(`record ${r.id} has no tenant`, 'bad_record');
      if (dimension !== undefined && r.vector.length !== dimension) {
        throw new VectorStoreError(`record ${r.id}: vector has ${r.vector.length} dimensions, collection ${collection} holds ${dimension}`, 'dimension_mismatch');
      }
    }
    if (records.length === 0) return;
    const sparse = await this.hasSparse(collection);
    for (let b = 0; b < records.length; b += UPSERT_BATCH) {
      const points = records.slice(b, b + UPSERT_BATCH).map((r) => {
        const dense = Array.from(r.vector);
        const payload: StoredPayload = { tenant: r.tenant, record_id: r.id, data: r.payload ?? {}, ...(r.text !== undefined ? { text: r.text } : {}) };
        return {
          id: pointId(r.tenant, r.id),
          vector: sparse ? { '': dense, [SPARSE]: sparseDocument(r.text ?? '') } : dense,
          payload: payload as unknown as Record<string, unknown>,
        };
      });
      await this.call(collection, 'upsert', () => this.client.upsert(collection, { wait: true, points }));
    }
  }

  async query(collection: string, q: VectorQuery): Promise<VectorHit[]> {
    if (!q.tenants || q.tenants.length === 0) throw new VectorStoreError('a query needs at least one tenant', 'bad_query');
    if (!Number.isInteger(q.limit) || q.limit < 0) throw new VectorStoreError(`limit must be a non-negative integer, got ${q.limit}`, 'bad_query');
    const filter = buildFilter([...new Set(q.tenants)], q.filter);
    if (q.limit === 0) return [];
    const dense = Array.from(q.vector);
    const toHit = (p: ScoredPoint, score: number, lexical?: number, ranks?: VectorHit['ranks']): VectorHit => {
      const stored = p.payload as unknown as StoredPayload;
      return { id: stored.record_id, tenant: stored.tenant, score, payload: stored.data ?? {}, ...(lexical !== undefined ? { lexical } : {}), ...(ranks ? { ranks } : {}) };
    };
    /** 1-based places of an id in the two fused rankings. */
    const placesIn = (vector: string[], lexical: string[]) => {
      const v = new Map(vector.map((id, r) => [id, r + 1]));
      const l = new Map(lexical.map((id, r) => [id, r + 1]));
      return (id: string): VectorHit['ranks'] => ({ ...(v.has(id) ? { vector: v.get(id) } : {}), ...(l.has(id) ? { lexical: l.get(id) } : {}) });
    };
    const text = q.text?.trim();
    if (!text) {
      const res = await this.call(collection, 'query', () => this.client.query(collection, { query: dense, filter, limit: q.limit, with_payload: true }));
      return res.points.map((p) => toHit(p, p.score));
    }
    const candidates = Math.max(q.limit, HYBRID_CANDIDATES);
    const terms = sparseQuery(text);
    if (!(await this.hasSparse(collection)) || terms.indices.length === 0) {
      // No keyword vector (an older collection) or no keywords: BM25 over the dense candidates.
      const res = await this.call(collection, 'query', () => this.client.query(collection, { query: dense, filter, limit: candidates, with_payload: true }));
      const lex = new LexicalIndex();
      for (const p of res.points) lex.add(String(p.id), (p.payload as unknown as StoredPayload).text ?? '');
      const bm25 = lex.scores(text);
      const lexical = [...bm25].sort((a, b) => b[1] - a[1]).map(([id]) => id);
      const byId = new Map(res.points.map((p) => [String(p.id), p]));
      const byMeaning = res.points.map((p) => String(p.id));
      const places = placesIn(byMeaning, lexical);
      return fuseRankings([{ keys: byMeaning }, { keys: lexical, weight: LEXICAL_WEIGHT }])
        .slice(0, q.limit)
        .map((id) => toHit(byId.get(id)!, byId.get(id)!.score, bm25.get(id), places(id)));
    }
    const [byMeaning, byKeywords] = await this.call(collection, 'hybrid query', () =>
      this.client.queryBatch(collection, {
        searches: [
          { query: dense, filter, limit: candidates, with_payload: true },
          { query: terms, using: SPARSE, filter, limit: candidates, with_payload: true, with_vector: true },
        ],
      }),
    );
    const unit = normalizedArray(dense);
    const byId = new Map<string, { p: ScoredPoint; cosine?: number; lexical?: number }>();
    for (const p of byMeaning!.points) byId.set(String(p.id), { p, cosine: p.score });
    for (const p of byKeywords!.points) {
      const known = byId.get(String(p.id));
      if (known) known.lexical = p.score;
      else byId.set(String(p.id), { p, lexical: p.score, cosine: dot(unit, denseOf(p.vector)) });
    }
    const meaningIds = byMeaning!.points.map((p) => String(p.id));
    const keywordIds = byKeywords!.points.map((p) => String(p.id));
    const places = placesIn(meaningIds, keywordIds);
    return fuseRankings([{ keys: meaningIds }, { keys: keywordIds, weight: LEXICAL_WEIGHT }])
      .slice(0, q.limit)
      .map((id) => {
        const e = byId.get(id)!;
        return toHit(e.p, e.cosine ?? 0, e.lexical, places(id));
      });
  }

  private toRecord(p: { payload?: unknown; vector?: unknown }): VectorRecord {
    const stored = p.payload as StoredPayload;
    const vector = Float32Array.from(denseOf(p.vector) ?? []);
    return { id: stored.record_id, tenant: stored.tenant, vector, payload: stored.data ?? {}, ...(stored.text !== undefined ? { text: stored.text } : {}) };
  }

  async get(collection: string, tenant: string, ids: string[]): Promise<VectorRecord[]> {
    if (ids.length === 0) return [];
    const points = await this.call(collection, 'retrieve', () =>
      this.client.retrieve(collection, { ids: ids.map((id) => pointId(tenant, id)), with_payload: true, with_vector: true }),
    );
    const byId = new Map(points.map((p) => this.toRecord(p)).filter((r) => r.tenant === tenant).map((r) => [r.id, r]));
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async delete(collection: string, tenant: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.call(collection, 'delete', () => this.client.delete(collection, { wait: true, points: ids.map((id) => pointId(tenant, id)) }));
  }

  async deleteTenant(collection: string, tenant: string): Promise<void> {
    await this.call(collection, 'delete tenant', () => this.client.delete(collection, { wait: true, filter: buildFilter([tenant]) }));
  }

  async count(collection: string, tenant: string, filter?: Record<string, JsonValue>): Promise<number> {
    const res = await this.call(collection, 'count', () => this.client.count(collection, { filter: buildFilter([tenant], filter), exact: true }));
    return res.count;
  }

  async scroll(
    collection: string,
    tenant: string,
    opts: { limit: number; cursor?: string; filter?: Record<string, JsonValue> },
  ): Promise<{ records: VectorRecord[]; cursor?: string }> {
    if (!Number.isInteger(opts.limit) || opts.limit <= 0) throw new VectorStoreError(`scroll limit must be a positive integer, got ${opts.limit}`, 'bad_query');
    const res = await this.call(collection, 'scroll', () =>
      this.client.scroll(collection, {
        filter: buildFilter([tenant], opts.filter),
        limit: opts.limit,
        ...(opts.cursor ? { offset: opts.cursor } : {}),
        with_payload: true,
        with_vector: true,
      }),
    );
    const next = res.next_page_offset;
    return { records: res.points.map((p) => this.toRecord(p)), cursor: next === null || next === undefined ? undefined : String(next) };
  }

  async listCollections(): Promise<string[]> {
    const res = await this.call('(all)', 'list collections', () => this.client.getCollections());
    return res.collections.map((c) => c.name).sort();
  }

  async listTenants(collection: string): Promise<string[]> {
    const { exists } = await this.call(collection, 'collection check', () => this.client.collectionExists(collection));
    if (!exists) return [];
    const res = await this.call(collection, 'facet', () => this.client.facet(collection, { key: TENANT_FIELD, limit: 100_000, exact: true }));
    // Qdrant keeps a tenant whose points were all deleted in the facet, with count 0.
    return res.hits.filter((h) => h.count > 0).map((h) => String(h.value)).sort();
  }

  async close(): Promise<void> {
    this.known.clear();
  }
}

function normalizedArray(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

/** Cosine of a unit query with a stored vector (Qdrant keeps Cosine vectors normalised). */
function dot(unit: number[], stored: number[] | undefined): number {
  if (!stored) return 0;
  let s = 0;
  for (let i = 0; i < unit.length; i++) s += unit[i]! * (stored[i] ?? 0);
  return s;
}
