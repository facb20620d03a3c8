import type { JsonValue } from '../contracts';
import type { MemoryConfig } from './config';
import type { Fact, FactListRequest, FactPutRequest } from './contracts';
import { MemoryInputError, optionalPositiveInt, requireText } from './errors';
import { sql } from 'kysely';
import type { MemoryTables } from '../db';
import { nowIso, type MemoryDb } from './memory-db';
import { derivedUuid } from '../vectors/derived-uuid';
import type { VectorSpace } from './vector-space';

type FactRow = MemoryTables['facts'];

export interface ScoredFact extends Fact {
  similarity: number;
}

/**
 * The Fact Store: (namespace, key) -> JSON value per tenant, in the memory database. Each fact is also embedded
 * ("namespace key: value") so a run can load the facts similar to its message from any namespace.
 */
export class FactStore {
  constructor(
    private readonly db: MemoryDb,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['facts'],
  ) {}

  /** Insert or replace; `created` survives replacement. */
  async put(req: FactPutRequest): Promise<Fact> {
    const tenant = requireText('tenant', req.tenant);
    const namespace = requireText('namespace', req.namespace, 200);
    const key = requireText('key', req.key, 500);
    const value = this.checkValue(req.value);
    const now = nowIso();
    await this.db
      .insertInto('facts')
      .values({ tenant, namespace, key, value, created: now, updated: now })
      .onConflict((oc) => oc.columns(['tenant', 'namespace', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated: eb.ref('excluded.updated') })))
      .execute();
    await this.vectors.ensure();
    const text = factText(namespace, key, value);
    const vector = await this.vectors.embedOne(text);
    await this.vectors.store.upsert(this.vectors.collection, [{ id: factVectorId(tenant, namespace, key), tenant, vector, text, payload: { namespace, key } }]);
    return (await this.get(tenant, namespace, key))!;
  }

  async get(tenant: string, namespace: string, key: string): Promise<Fact | undefined> {
    const row = await this.db
      .selectFrom('facts')
      .selectAll()
      .where('tenant', '=', requireText('tenant', tenant))
      .where('namespace', '=', requireText('namespace', namespace))
      .where('key', '=', requireText('key', key))
      .executeTakeFirst();
    return row && toFact(row);
  }

  /** Newest first; with a prefix, only keys that start with it. */
  async list(req: FactListRequest): Promise<Fact[]> {
    const tenant = requireText('tenant', req.tenant);
    const namespace = requireText('namespace', req.namespace);
    const limit = optionalPositiveInt('limit', req.limit) ?? this.config.listLimit;
    const prefix = req.prefix ?? '';
    if (typeof prefix !== 'string') throw new MemoryInputError('prefix', 'must be a string');
    const rows: FactRow[] = await this.db
      .selectFrom('facts')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('namespace', '=', namespace)
      .where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix)
      .orderBy('updated', 'desc')
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map(toFact);
  }

  /** True when the fact existed. */
  async delete(tenant: string, namespace: string, key: string): Promise<boolean> {
    const t = requireText('tenant', tenant);
    const info = await this.db.deleteFrom('facts').where('tenant', '=', t).where('namespace', '=', requireText('namespace', namespace)).where('key', '=', requireText('key', key)).executeTakeFirst();
    await this.vectors.ensure();
    await this.vectors.store.delete(this.vectors.collection, t, [factVectorId(t, namespace, key)]);
    return Number(info.numDeletedRows) > 0;
  }

  /** Re-embeds every fact from the database (after a change of embedding model); returns how many. */
  async reindex(batchSize = 64): Promise<number> {
    const rows = await this.db.selectFrom('facts').selectAll().execute();
    return this.vectors.reembedRows(
      rows,
      (r) => [factText(r.namespace, r.key, r.value)],
      (r, [v], [text]) => [{ id: factVectorId(r.tenant, r.namespace, r.key), tenant: r.tenant, vector: v!, text, payload: { namespace: r.namespace, key: r.key } }],
      batchSize,
    );
  }

  /** Facts of any namespace of the tenant similar to the text. */
  async similar(tenant: string, query: string, limit: number, minSimilarity: number): Promise<ScoredFact[]> {
    await this.vectors.ensure();
    const vector = await this.vectors.embedQuery(requireText('query', query));
    const hits = await this.vectors.store.query(this.vectors.collection, { tenants: [requireText('tenant', tenant)], vector, limit, text: query });
    const out: ScoredFact[] = [];
    for (const h of hits) {
      const similarity = this.vectors.queryScale.toReference(h.score);
      if (similarity < minSimilarity) continue;
      const fact = await this.get(tenant, String(h.payload.namespace), String(h.payload.key));
      if (fact) out.push({ ...fact, similarity });
    }
    return out;
  }

  private checkValue(value: unknown): string {
    if (value === undefined) throw new MemoryInputError('value', 'is missing (any JSON value, null included, is allowed)');
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new MemoryInputError('value', `is not JSON-serialisable: ${(err as Error).message}`);
    }
    if (text === undefined) throw new MemoryInputError('value', 'is not a JSON value');
    const bytes = Buffer.byteLength(text);
    if (bytes > this.config.maxValueBytes) throw new MemoryInputError('value', `is ${bytes} bytes of JSON; the limit is ${this.config.maxValueBytes}`);
    return text;
  }
}

function factText(namespace: string, key: string, valueJson: string): string {
  const value = JSON.parse(valueJson) as JsonValue;
  return `${namespace} ${key}: ${typeof value === 'string' ? value : valueJson}`;
}

function factVectorId(tenant: string, namespace: string, key: string): string {
  return derivedUuid(['fact', tenant, namespace, key]);
}

function toFact(row: FactRow): Fact {
  return { namespace: row.namespace, key: row.key, value: JSON.parse(row.value) as JsonValue, created: row.created, updated: row.updated };
}
