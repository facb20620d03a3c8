import type { JsonValue } from '../contracts';
import type { MemoryConfig } from './config';
import type { Fact, FactListRequest, FactPutRequest } from './contracts';
import { MemoryInputError, optionalPositiveInt, requireText } from './errors';
import { nowIso, type MemoryDatabase } from './sqlite';
import { derivedUuid } from '../vectors/derived-uuid';
import type { VectorSpace } from './vector-space';

interface FactRow {
  tenant: string;
  namespace: string;
  key: string;
  value: string;
  created: string;
  updated: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS facts (
  tenant TEXT NOT NULL,
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  PRIMARY KEY (tenant, namespace, key)
);
CREATE INDEX IF NOT EXISTS facts_recent ON facts (tenant, namespace, updated);
`;

export interface ScoredFact extends Fact {
  similarity: number;
}

/**
 * The Fact Store: (namespace, key) -> JSON value per tenant, in SQLite. Each fact is also embedded
 * ("namespace key: value") so a run can load the facts similar to its message from any namespace.
 */
export class FactStore {
  constructor(
    private readonly db: MemoryDatabase,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['facts'],
  ) {
    db.exec(SCHEMA);
  }

  /** Insert or replace; `created` survives replacement. */
  async put(req: FactPutRequest): Promise<Fact> {
    const tenant = requireText('tenant', req.tenant);
    const namespace = requireText('namespace', req.namespace, 200);
    const key = requireText('key', req.key, 500);
    const value = this.checkValue(req.value);
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO facts (tenant, namespace, key, value, created, updated) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, namespace, key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
      )
      .run(tenant, namespace, key, value, now, now);
    await this.vectors.ensure();
    const text = factText(namespace, key, value);
    const vector = await this.vectors.embedOne(text);
    await this.vectors.store.upsert(this.vectors.collection, [{ id: factVectorId(tenant, namespace, key), tenant, vector, text, payload: { namespace, key } }]);
    return this.get(tenant, namespace, key)!;
  }

  get(tenant: string, namespace: string, key: string): Fact | undefined {
    const row = this.db
      .prepare('SELECT * FROM facts WHERE tenant = ? AND namespace = ? AND key = ?')
      .get(requireText('tenant', tenant), requireText('namespace', namespace), requireText('key', key)) as FactRow | undefined;
    return row && toFact(row);
  }

  /** Newest first; with a prefix, only keys that start with it. */
  list(req: FactListRequest): Fact[] {
    const tenant = requireText('tenant', req.tenant);
    const namespace = requireText('namespace', req.namespace);
    const limit = optionalPositiveInt('limit', req.limit) ?? this.config.listLimit;
    const prefix = req.prefix ?? '';
    if (typeof prefix !== 'string') throw new MemoryInputError('prefix', 'must be a string');
    const rows = this.db
      .prepare('SELECT * FROM facts WHERE tenant = ? AND namespace = ? AND substr(key, 1, ?) = ? ORDER BY updated DESC, key LIMIT ?')
      .all(tenant, namespace, prefix.length, prefix, limit) as FactRow[];
    return rows.map(toFact);
  }

  /** True when the fact existed. */
  async delete(tenant: string, namespace: string, key: string): Promise<boolean> {
    const t = requireText('tenant', tenant);
    const info = this.db.prepare('DELETE FROM facts WHERE tenant = ? AND namespace = ? AND key = ?').run(t, requireText('namespace', namespace), requireText('key', key));
    await this.vectors.ensure();
    await this.vectors.store.delete(this.vectors.collection, t, [factVectorId(t, namespace, key)]);
    return info.changes > 0;
  }

  /** Facts of any namespace of the tenant similar to the text. */
  async similar(tenant: string, query: string, limit: number, minSimilarity: number): Promise<ScoredFact[]> {
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(requireText('query', query));
    const hits = await this.vectors.store.query(this.vectors.collection, { tenants: [requireText('tenant', tenant)], vector, limit, text: query });
    const out: ScoredFact[] = [];
    for (const h of hits) {
      if (h.score < minSimilarity) continue;
      const fact = this.get(tenant, String(h.payload.namespace), String(h.payload.key));
      if (fact) out.push({ ...fact, similarity: h.score });
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
