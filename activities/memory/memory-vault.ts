import { randomUUID } from 'node:crypto';
import type { MemoryConfig } from './config';
import type {
  MemoryEntry,
  MemoryVaultListRequest,
  MemoryVaultSaveRequest,
  MemoryVaultSearchRequest,
  MemoryVaultSearchResult,
  SavePlan,
  ScoredMemoryEntry,
} from './contracts';
import { MemoryInputError, MemoryNotFoundError, optionalPositiveInt, optionalSimilarity, requireText } from './errors';
import { sameTopic } from './same-topic';
import { nowIso, type MemoryDatabase } from './sqlite';
import type { VectorSpace } from './vector-space';

interface EntryRow {
  tenant: string;
  id: string;
  scope: string;
  content: string;
  created: string;
  updated: string;
  deleted: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS memory_vault_entries (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  scope TEXT NOT NULL,
  content TEXT NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  deleted TEXT,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX IF NOT EXISTS memory_vault_entries_scope ON memory_vault_entries (tenant, scope, deleted, updated);
CREATE TABLE IF NOT EXISTS memory_vault_commits (
  tenant TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  committed TEXT NOT NULL,
  PRIMARY KEY (tenant, plan_id)
);
`;

/**
 * The Memory Vault: curated entries in SQLite (the record of truth, with soft deletes) and their
 * vectors in the vector store. Every statement filters on the tenant, and vectors are filed under
 * (tenant, scope), so one tenant's entries can never come back to another.
 */
export class MemoryVault {
  constructor(
    private readonly db: MemoryDatabase,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['vault'],
  ) {
    db.exec(SCHEMA);
  }

  /** Decides what a save will do without writing anything (see SavePlan). */
  async planSave(req: MemoryVaultSaveRequest): Promise<SavePlan> {
    const tenant = requireText('tenant', req.tenant);
    const content = requireText('content', req.content, this.config.maxContentChars);
    const scope = req.scope === undefined ? undefined : requireText('scope', req.scope, 200);
    if (req.id !== undefined && req.id !== null) {
      const id = requireText('id', req.id);
      const row = this.liveRow(tenant, id);
      return { planId: randomUUID(), tenant, action: 'update', targetId: id, content, previousContent: row.content, scope: scope ?? row.scope };
    }
    const targetScope = scope ?? this.config.defaultScope;
    const same = await this.sameTopicEntry(tenant, targetScope, content);
    if (same) {
      return {
        planId: randomUUID(),
        tenant,
        action: 'update',
        targetId: same.id,
        content,
        previousContent: same.content,
        scope: targetScope,
        matchedSimilarity: same.similarity,
      };
    }
    return { planId: randomUUID(), tenant, action: 'add', targetId: randomUUID(), content, scope: targetScope };
  }

  /** Applies a plan. Committing the same plan again returns the entry without writing again. */
  async commitSave(plan: SavePlan): Promise<MemoryEntry> {
    const tenant = requireText('plan.tenant', plan?.tenant);
    const planId = requireText('plan.planId', plan.planId);
    const targetId = requireText('plan.targetId', plan.targetId);
    const content = requireText('plan.content', plan.content, this.config.maxContentChars);
    const scope = requireText('plan.scope', plan.scope, 200);
    if (plan.action !== 'add' && plan.action !== 'update') throw new MemoryInputError('plan.action', `must be "add" or "update", got ${JSON.stringify(plan.action)}`);

    const done = this.db.prepare('SELECT entry_id FROM memory_vault_commits WHERE tenant = ? AND plan_id = ?').get(tenant, planId) as { entry_id: string } | undefined;
    if (done) return this.get(tenant, done.entry_id);

    const now = nowIso();
    let previousScope: string | undefined;
    if (plan.action === 'update') {
      const row = this.liveRow(tenant, targetId);
      previousScope = row.scope;
      this.db.prepare('UPDATE memory_vault_entries SET content = ?, scope = ?, updated = ? WHERE tenant = ? AND id = ?').run(content, scope, now, tenant, targetId);
    } else {
      // A retry after a crash between this insert and the commit record finds the row: rewrite it.
      this.db
        .prepare(
          `INSERT INTO memory_vault_entries (tenant, id, scope, content, created, updated, deleted) VALUES (?, ?, ?, ?, ?, ?, NULL)
           ON CONFLICT (tenant, id) DO UPDATE SET content = excluded.content, scope = excluded.scope, updated = excluded.updated`,
        )
        .run(tenant, targetId, scope, content, now, now);
    }
    await this.writeVector(tenant, targetId, scope, content);
    if (previousScope !== undefined && previousScope !== scope) await this.vectors.store.delete(this.vectors.collection, vectorTenant(tenant, previousScope), [targetId]);
    // Recorded last: until this row exists a retry redoes the (idempotent) writes above.
    this.db.prepare('INSERT OR IGNORE INTO memory_vault_commits (tenant, plan_id, entry_id, committed) VALUES (?, ?, ?, ?)').run(tenant, planId, targetId, now);
    return this.get(tenant, targetId);
  }

  /** Plan and commit in one step (no confirmation). */
  async save(req: MemoryVaultSaveRequest): Promise<{ plan: SavePlan; entry: MemoryEntry }> {
    const plan = await this.planSave(req);
    return { plan, entry: await this.commitSave(plan) };
  }

  /** Adds an entry as given, without the same-topic merge (the management "create"). */
  async create(req: { tenant: string; content: string; scope?: string }): Promise<MemoryEntry> {
    const tenant = requireText('tenant', req.tenant);
    const content = requireText('content', req.content, this.config.maxContentChars);
    const scope = req.scope === undefined ? this.config.defaultScope : requireText('scope', req.scope, 200);
    return this.commitSave({ planId: randomUUID(), tenant, action: 'add', targetId: randomUUID(), content, scope });
  }

  /**
   * Bulk import (migrations, benchmarks): adds every text as its own entry, embedded in batches,
   * without the same-topic merge. Returns the new ids in input order.
   */
  async importEntries(req: { tenant: string; scope?: string; contents: string[] }, batchSize = 64): Promise<string[]> {
    const tenant = requireText('tenant', req.tenant);
    const scope = req.scope === undefined ? this.config.defaultScope : requireText('scope', req.scope, 200);
    const contents = req.contents.map((c, i) => requireText(`contents[${i}]`, c, this.config.maxContentChars));
    const ids = contents.map(() => randomUUID());
    const insert = this.db.prepare('INSERT INTO memory_vault_entries (tenant, id, scope, content, created, updated, deleted) VALUES (?, ?, ?, ?, ?, ?, NULL)');
    await this.vectors.ensure();
    for (let i = 0; i < contents.length; i += batchSize) {
      const batch = contents.slice(i, i + batchSize);
      const vectors = await this.vectors.embedder.embed(batch);
      const now = nowIso();
      this.db.transaction(() => batch.forEach((c, j) => insert.run(tenant, ids[i + j], scope, c, now, now)))();
      await this.vectors.store.upsert(
        this.vectors.collection,
        batch.map((c, j) => ({ id: ids[i + j], tenant: vectorTenant(tenant, scope), vector: vectors[j], text: c, payload: { tenant, scope } })),
      );
    }
    return ids;
  }

  async update(req: { tenant: string; id: string; content: string; scope?: string }): Promise<MemoryEntry> {
    return (await this.save({ tenant: req.tenant, id: requireText('id', req.id), content: req.content, scope: req.scope })).entry;
  }

  async search(req: MemoryVaultSearchRequest): Promise<MemoryVaultSearchResult> {
    const tenant = requireText('tenant', req.tenant);
    const query = requireText('query', req.query);
    const limit = Math.min(optionalPositiveInt('limit', req.limit) ?? this.config.defaultLimit, this.config.maxLimit);
    const minSimilarity = optionalSimilarity('minSimilarity', req.minSimilarity) ?? this.config.minSimilarity;
    if (req.scopes !== undefined && (!Array.isArray(req.scopes) || req.scopes.some((s) => typeof s !== 'string' || !s.trim()))) {
      throw new MemoryInputError('scopes', 'must be a list of non-empty scope names');
    }
    const scopes = req.scopes?.length ? [...new Set(req.scopes.map((s) => s.trim()))] : this.scopes(tenant);
    if (!scopes.length) return { entries: [] };
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(query);
    // Hybrid: meaning fused with keywords (BM25), so a rare name or number in the query counts.
    const hits = await this.vectors.store.query(this.vectors.collection, { tenants: scopes.map((s) => vectorTenant(tenant, s)), vector, limit, text: query });
    const entries: ScoredMemoryEntry[] = [];
    const byId = this.rows(tenant, hits.map((h) => h.id));
    for (const hit of hits) {
      const row = byId.get(hit.id);
      // The vector store is a second copy: trust only entries that are live here, in an asked scope.
      if (!row || row.deleted || !scopes.includes(row.scope) || hit.score < minSimilarity) continue;
      entries.push({ ...toEntry(row), similarity: hit.score });
    }
    return { entries };
  }

  list(req: MemoryVaultListRequest): MemoryEntry[] {
    const tenant = requireText('tenant', req.tenant);
    const limit = optionalPositiveInt('limit', req.limit) ?? this.config.listLimit;
    const clauses = ['tenant = ?', req.deleted ? 'deleted IS NOT NULL' : 'deleted IS NULL'];
    const params: unknown[] = [tenant];
    if (req.scope !== undefined) {
      clauses.push('scope = ?');
      params.push(requireText('scope', req.scope));
    }
    const rows = this.db.prepare(`SELECT * FROM memory_vault_entries WHERE ${clauses.join(' AND ')} ORDER BY updated DESC, id LIMIT ?`).all(...params, limit) as EntryRow[];
    return rows.map(toEntry);
  }

  get(tenant: string, id: string): MemoryEntry {
    const row = this.db.prepare('SELECT * FROM memory_vault_entries WHERE tenant = ? AND id = ?').get(tenant, id) as EntryRow | undefined;
    if (!row) throw new MemoryNotFoundError('memory entry', id);
    return toEntry(row);
  }

  /** Soft delete: the entry leaves search and list but stays restorable. Deleting twice is a no-op. */
  async delete(req: { tenant: string; id: string }): Promise<MemoryEntry> {
    const tenant = requireText('tenant', req.tenant);
    const id = requireText('id', req.id);
    const row = this.row(tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id);
    if (!row.deleted) this.db.prepare('UPDATE memory_vault_entries SET deleted = ? WHERE tenant = ? AND id = ?').run(nowIso(), tenant, id);
    await this.vectors.ensure();
    await this.vectors.store.delete(this.vectors.collection, vectorTenant(tenant, row.scope), [id]);
    return this.get(tenant, id);
  }

  async restore(req: { tenant: string; id: string }): Promise<MemoryEntry> {
    const tenant = requireText('tenant', req.tenant);
    const id = requireText('id', req.id);
    const row = this.row(tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id);
    if (row.deleted) this.db.prepare('UPDATE memory_vault_entries SET deleted = NULL, updated = ? WHERE tenant = ? AND id = ?').run(nowIso(), tenant, id);
    await this.writeVector(tenant, id, row.scope, row.content);
    return this.get(tenant, id);
  }

  /** Re-embeds every live entry, e.g. after pointing PAR at a new vector store (QDRANT_URL). */
  async reindex(tenant?: string, batchSize = 64): Promise<number> {
    const rows = (tenant
      ? this.db.prepare('SELECT * FROM memory_vault_entries WHERE tenant = ? AND deleted IS NULL').all(tenant)
      : this.db.prepare('SELECT * FROM memory_vault_entries WHERE deleted IS NULL').all()) as EntryRow[];
    await this.vectors.ensure();
    for (let i = 0; i < rows.length; i += batchSize) {
      const batch = rows.slice(i, i + batchSize);
      const vectors = await this.vectors.embedder.embed(batch.map((r) => r.content));
      await this.vectors.store.upsert(
        this.vectors.collection,
        batch.map((r, j) => ({ id: r.id, tenant: vectorTenant(r.tenant, r.scope), vector: vectors[j], text: r.content, payload: { tenant: r.tenant, scope: r.scope } })),
      );
    }
    return rows.length;
  }

  /** The tenant's scopes that hold live entries. */
  scopes(tenant: string): string[] {
    return (this.db.prepare('SELECT DISTINCT scope FROM memory_vault_entries WHERE tenant = ? AND deleted IS NULL').all(tenant) as { scope: string }[]).map((r) => r.scope);
  }

  /** The closest live entry of the scope that is the same topic as content (same-topic.ts), if any. */
  private async sameTopicEntry(tenant: string, scope: string, content: string): Promise<ScoredMemoryEntry | undefined> {
    if (!this.scopes(tenant).includes(scope)) return undefined;
    const { entries } = await this.search({ tenant, query: content, limit: this.config.sameTopicCandidates, minSimilarity: -1, scopes: [scope] });
    return [...entries].sort((x, y) => y.similarity - x.similarity).find((e) => sameTopic(e.content, content, e.similarity, this.config.sameTopic).same);
  }

  private async writeVector(tenant: string, id: string, scope: string, content: string): Promise<void> {
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(content);
    await this.vectors.store.upsert(this.vectors.collection, [{ id, tenant: vectorTenant(tenant, scope), vector, text: content, payload: { tenant, scope } }]);
  }

  private row(tenant: string, id: string): EntryRow | undefined {
    return this.db.prepare('SELECT * FROM memory_vault_entries WHERE tenant = ? AND id = ?').get(tenant, id) as EntryRow | undefined;
  }

  private liveRow(tenant: string, id: string): EntryRow {
    const row = this.row(tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id, 'does not exist (a save with an id only updates; leave the id out to add)');
    if (row.deleted) throw new MemoryNotFoundError('memory entry', id, 'is deleted; restore it before updating');
    return row;
  }

  private rows(tenant: string, ids: string[]): Map<string, EntryRow> {
    if (!ids.length) return new Map();
    const rows = this.db.prepare(`SELECT * FROM memory_vault_entries WHERE tenant = ? AND id IN (${ids.map(() => '?').join(',')})`).all(tenant, ...ids) as EntryRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }
}

/** The vector-store tenant of a scope: both parts, unambiguously joined. */
export function vectorTenant(tenant: string, scope: string): string {
  return JSON.stringify([tenant, scope]);
}

function toEntry(row: EntryRow): MemoryEntry {
  return { id: row.id, tenant: row.tenant, content: row.content, scope: row.scope, created: row.created, updated: row.updated, deleted: row.deleted };
}
