/**
 * Qdrant adapter (@qdrant/js-client-rest 1.19). One Qdrant collection per PAR collection (one per
 * embedding model); the tenant is a keyword payload field indexed with is_tenant and every
 * request filters on it. Qdrant point ids must be UUIDs, so a record's id is hashed with its
 * tenant into one and kept in the payload; the caller's payload sits under `data`, so its
 * field names can never collide with ours.
 */
import { QdrantClient } from '@qdrant/js-client-rest';
import type { JsonValue } from '../contracts';
import { derivedUuid } from './derived-uuid';
import { VectorStoreError } from './errors';
import { validateFilter } from './filter';
import type { VectorHit, VectorQuery, VectorRecord, VectorStore } from './port';

const TENANT_FIELD = 'tenant';
const UPSERT_BATCH = 128;

type QdrantFilter = { must: Record<string, unknown>[] };

interface StoredPayload {
  tenant: string;
  record_id: string;
  data: Record<string, JsonValue>;
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
  private readonly known = new Map<string, number>();

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
    if (this.known.get(collection) === dimension) return;
    const { exists } = await this.call(collection, 'collection check', () => this.client.collectionExists(collection));
    if (!exists) {
      try {
        await this.client.createCollection(collection, { vectors: { size: dimension, distance: 'Cosine' } });
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
    this.known.set(collection, dimension);
  }

  async upsert(collection: string, records: VectorRecord[]): Promise<void> {
    const dimension = this.known.get(collection);
    for (const r of records) {
      if (!r.id || typeof r.id !== 'string') throw new VectorStoreError(`record id must be a non-empty string (collection ${collection})`, 'bad_record');
      if (!r.tenant) throw new VectorStoreError(`record ${r.id} has no tenant`, 'bad_record');
      if (dimension !== undefined && r.vector.length !== dimension) {
        throw new VectorStoreError(`record ${r.id}: vector has ${r.vector.length} dimensions, collection ${collection} holds ${dimension}`, 'dimension_mismatch');
      }
    }
    for (let b = 0; b < records.length; b += UPSERT_BATCH) {
      const points = records.slice(b, b + UPSERT_BATCH).map((r) => ({
        id: pointId(r.tenant, r.id),
        vector: Array.from(r.vector),
        payload: { tenant: r.tenant, record_id: r.id, data: r.payload ?? {} } satisfies StoredPayload as unknown as Record<string, unknown>,
      }));
      await this.call(collection, 'upsert', () => this.client.upsert(collection, { wait: true, points }));
    }
  }

  async query(collection: string, q: VectorQuery): Promise<VectorHit[]> {
    if (!q.tenants || q.tenants.length === 0) throw new VectorStoreError('a query needs at least one tenant', 'bad_query');
    if (!Number.isInteger(q.limit) || q.limit < 0) throw new VectorStoreError(`limit must be a non-negative integer, got ${q.limit}`, 'bad_query');
    const filter = buildFilter([...new Set(q.tenants)], q.filter);
    if (q.limit === 0) return [];
    const res = await this.call(collection, 'query', () =>
      this.client.query(collection, { query: Array.from(q.vector), filter, limit: q.limit, with_payload: true }),
    );
    return res.points.map((p) => {
      const stored = p.payload as unknown as StoredPayload;
      return { id: stored.record_id, tenant: stored.tenant, score: p.score, payload: stored.data ?? {} };
    });
  }

  private toRecord(p: { payload?: unknown; vector?: unknown }): VectorRecord {
    const stored = p.payload as StoredPayload;
    const vector = Array.isArray(p.vector) ? Float32Array.from(p.vector as number[]) : new Float32Array(0);
    return { id: stored.record_id, tenant: stored.tenant, vector, payload: stored.data ?? {} };
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

  async listTenants(collection: string): Promise<string[]> {
    const { exists } = await this.call(collection, 'collection check', () => this.client.collectionExists(collection));
    if (!exists) return [];
    const res = await this.call(collection, 'facet', () => this.client.facet(collection, { key: TENANT_FIELD, limit: 100_000, exact: true }));
    // A real Qdrant keeps a deleted tenant's value in the payload index with a zero count (the
    // protocol fake dropped it, so this went unseen until tests ran the real server).
    return res.hits.filter((h) => h.count > 0).map((h) => String(h.value)).sort();
  }

  async close(): Promise<void> {
    this.known.clear();
  }
}
