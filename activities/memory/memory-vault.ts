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
import { nowIso, type MemoryDb } from './memory-db';
import type { MemoryTables } from '../db';
import { statementSimilarities, type VectorSpace } from './vector-space';
import type { RerankStage } from '../rerank/stage';

type EntryRow = MemoryTables['memory_vault_entries'];

/**
 * The Memory Vault: curated entries in the memory database (the record of truth, with soft deletes) and their
 * vectors in the vector store. Every statement filters on the tenant, and vectors are filed under
 * (tenant, scope), so one tenant's entries can never come back to another.
 */
export class MemoryVault {
  constructor(
    private readonly db: MemoryDb,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['vault'],
    /** Rescores the best entries with a cross-encoder (PAR_RERANK_MODEL); absent: no rerank stage. */
    private readonly rerank?: RerankStage,
  ) {}

  /** Decides what a save will do without writing anything (see SavePlan). */
  async planSave(req: MemoryVaultSaveRequest): Promise<SavePlan> {
    const tenant = requireText('tenant', req.tenant);
    const content = requireText('content', req.content, this.config.maxContentChars);
    const scope = req.scope === undefined ? undefined : requireText('scope', req.scope, 200);
    if (req.id !== undefined && req.id !== null) {
      const id = requireText('id', req.id);
      const row = await this.liveRow(this.db, tenant, id);
      return { planId: randomUUID(), tenant, action: 'update', targetId: id, content, previousContent: row.content, scope: scope ?? row.scope };
    }
    const targetScope = scope ?? this.config.defaultScope;
    const same = await this.sameTopicEntry(this.db, tenant, targetScope, content);
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

  /**
   * Applies a plan in one transaction that holds the topic's lock (tenant, scope): an "add" first
   * looks again for a same-topic entry, so two workers saving one topic at the same moment leave
   * one entry. Committing the same plan again returns the entry without writing again.
   * mergeSameTopic: false adds as planned (the management "create").
   */
  async commitSave(plan: SavePlan, opts: { mergeSameTopic?: boolean } = {}): Promise<MemoryEntry> {
    const tenant = requireText('plan.tenant', plan?.tenant);
    const planId = requireText('plan.planId', plan.planId);
    const plannedId = requireText('plan.targetId', plan.targetId);
    const content = requireText('plan.content', plan.content, this.config.maxContentChars);
    const scope = requireText('plan.scope', plan.scope, 200);
    if (plan.action !== 'add' && plan.action !== 'update') throw new MemoryInputError('plan.action', `must be "add" or "update", got ${JSON.stringify(plan.action)}`);

    return this.db.transaction().execute(async (trx) => {
      const now = nowIso();
      // The first statement writes, so SQLite takes its write lock before reading anything.
      await trx
        .insertInto('memory_vault_locks')
        .values({ tenant, scope, taken: now })
        .onConflict((oc) => oc.columns(['tenant', 'scope']).doUpdateSet({ taken: now }))
        .execute();
      const done = await trx.selectFrom('memory_vault_commits').select('entry_id').where('tenant', '=', tenant).where('plan_id', '=', planId).executeTakeFirst();
      if (done) return this.get(tenant, done.entry_id, trx);

      let targetId = plannedId;
      let action = plan.action;
      if (action === 'add' && opts.mergeSameTopic !== false) {
        const same = await this.sameTopicEntry(trx, tenant, scope, content);
        if (same) {
          action = 'update';
          targetId = same.id;
        }
      }
      let previousScope: string | undefined;
      if (action === 'update') {
        const row = await this.liveRow(trx, tenant, targetId);
        previousScope = row.scope;
        await trx.updateTable('memory_vault_entries').set({ content, scope, updated: now }).where('tenant', '=', tenant).where('id', '=', targetId).execute();
      } else {
        await trx.insertInto('memory_vault_entries').values({ tenant, id: targetId, scope, content, created: now, updated: now, deleted: null }).execute();
      }
      // The vector is written inside the transaction: if it rolls back, search ignores the
      // orphan vector (rows are the record of truth) and a retry rewrites it.
      await this.writeVector(tenant, targetId, scope, content);
      if (previousScope !== undefined && previousScope !== scope) await this.vectors.store.delete(this.vectors.collection, vectorTenant(tenant, previousScope), [targetId]);
      await trx.insertInto('memory_vault_commits').values({ tenant, plan_id: planId, entry_id: targetId, committed: now }).execute();
      return this.get(tenant, targetId, trx);
    });
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
    return this.commitSave({ planId: randomUUID(), tenant, action: 'add', targetId: randomUUID(), content, scope }, { mergeSameTopic: false });
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
    await this.vectors.ensure();
    for (let i = 0; i < contents.length; i += batchSize) {
      const batch = contents.slice(i, i + batchSize);
      const vectors = await this.vectors.embedder.embed(batch);
      const now = nowIso();
      await this.db
        .insertInto('memory_vault_entries')
        .values(batch.map((c, j) => ({ tenant, id: ids[i + j], scope, content: c, created: now, updated: now, deleted: null })))
        .execute();
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

  async search(req: MemoryVaultSearchRequest, q: MemoryDb = this.db): Promise<MemoryVaultSearchResult> {
    const tenant = requireText('tenant', req.tenant);
    const query = requireText('query', req.query);
    const limit = Math.min(optionalPositiveInt('limit', req.limit) ?? this.config.defaultLimit, this.config.maxLimit);
    const minSimilarity = optionalSimilarity('minSimilarity', req.minSimilarity) ?? this.config.minSimilarity;
    if (req.scopes !== undefined && (!Array.isArray(req.scopes) || req.scopes.some((s) => typeof s !== 'string' || !s.trim()))) {
      throw new MemoryInputError('scopes', 'must be a list of non-empty scope names');
    }
    const scopes = req.scopes?.length ? [...new Set(req.scopes.map((s) => s.trim()))] : await this.scopes(tenant, q);
    if (!scopes.length) return { entries: [] };
    await this.vectors.ensure();
    const vector = await this.vectors.embedQuery(query);
    // Hybrid: meaning fused with keywords (BM25), so a rare name or number in the query counts.
    const rerank = req.rerank === false ? undefined : this.rerank;
    const hits = await this.vectors.store.query(this.vectors.collection, { tenants: scopes.map((s) => vectorTenant(tenant, s)), vector, limit: rerank?.fetchLimit(limit) ?? limit, text: query });
    const entries: ScoredMemoryEntry[] = [];
    const byId = await this.rows(q, tenant, hits.map((h) => h.id));
    for (const hit of hits) {
      const row = byId.get(hit.id);
      const similarity = this.vectors.queryScale.toReference(hit.score);
      // The vector store is a second copy: trust only entries that are live here, in an asked scope.
      if (!row || row.deleted || !scopes.includes(row.scope) || similarity < minSimilarity) continue;
      entries.push({ ...toEntry(row), similarity });
    }
    return { entries: rerank ? await rerank.topN(query, entries, limit, (e) => e.content) : entries.slice(0, limit) };
  }

  async list(req: MemoryVaultListRequest): Promise<MemoryEntry[]> {
    const tenant = requireText('tenant', req.tenant);
    const limit = optionalPositiveInt('limit', req.limit) ?? this.config.listLimit;
    let query = this.db
      .selectFrom('memory_vault_entries')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('deleted', req.deleted ? 'is not' : 'is', null);
    if (req.scope !== undefined) query = query.where('scope', '=', requireText('scope', req.scope));
    const rows = await query.orderBy('updated', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toEntry);
  }

  async get(tenant: string, id: string, q: MemoryDb = this.db): Promise<MemoryEntry> {
    const row = await this.row(q, tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id);
    return toEntry(row);
  }

  /** Soft delete: the entry leaves search and list but stays restorable. Deleting twice is a no-op. */
  async delete(req: { tenant: string; id: string }): Promise<MemoryEntry> {
    const tenant = requireText('tenant', req.tenant);
    const id = requireText('id', req.id);
    const row = await this.row(this.db, tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id);
    if (!row.deleted) await this.db.updateTable('memory_vault_entries').set({ deleted: nowIso() }).where('tenant', '=', tenant).where('id', '=', id).execute();
    await this.vectors.ensure();
    await this.vectors.store.delete(this.vectors.collection, vectorTenant(tenant, row.scope), [id]);
    return this.get(tenant, id);
  }

  async restore(req: { tenant: string; id: string }): Promise<MemoryEntry> {
    const tenant = requireText('tenant', req.tenant);
    const id = requireText('id', req.id);
    const row = await this.row(this.db, tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id);
    if (row.deleted) await this.db.updateTable('memory_vault_entries').set({ deleted: null, updated: nowIso() }).where('tenant', '=', tenant).where('id', '=', id).execute();
    await this.writeVector(tenant, id, row.scope, row.content);
    return this.get(tenant, id);
  }

  /** Re-embeds every live entry, e.g. after pointing PAR at a new vector store (QDRANT_URL). */
  async reindex(tenant?: string, batchSize = 64): Promise<number> {
    let query = this.db.selectFrom('memory_vault_entries').selectAll().where('deleted', 'is', null);
    if (tenant) query = query.where('tenant', '=', tenant);
    const rows = await query.execute();
    return this.vectors.reembedRows(
      rows,
      (r) => [r.content],
      (r, [v]) => [{ id: r.id, tenant: vectorTenant(r.tenant, r.scope), vector: v!, text: r.content, payload: { tenant: r.tenant, scope: r.scope } }],
      batchSize,
    );
  }

  /** The tenant's scopes that hold live entries. */
  async scopes(tenant: string, q: MemoryDb = this.db): Promise<string[]> {
    const rows = await q.selectFrom('memory_vault_entries').select('scope').distinct().where('tenant', '=', tenant).where('deleted', 'is', null).execute();
    return rows.map((r) => r.scope);
  }

  /** The closest live entry of the scope that is the same topic as content (same-topic.ts), if any. */
  private async sameTopicEntry(q: MemoryDb, tenant: string, scope: string, content: string): Promise<ScoredMemoryEntry | undefined> {
    if (!(await this.scopes(tenant, q)).includes(scope)) return undefined;
    const { entries } = await this.search({ tenant, query: content, limit: this.config.sameTopicCandidates, minSimilarity: -1, scopes: [scope], rerank: false }, q);
    const candidates = [...entries].sort((x, y) => y.similarity - x.similarity);
    const similarities = await statementSimilarities(this.vectors.embedder, content, candidates.map((e) => e.content), candidates.map((e) => e.similarity));
    return candidates.find((e, i) => sameTopic(e.content, content, similarities[i]!, this.config.sameTopic).same);
  }

  private async writeVector(tenant: string, id: string, scope: string, content: string): Promise<void> {
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(content);
    await this.vectors.store.upsert(this.vectors.collection, [{ id, tenant: vectorTenant(tenant, scope), vector, text: content, payload: { tenant, scope } }]);
  }

  private row(q: MemoryDb, tenant: string, id: string): Promise<EntryRow | undefined> {
    return q.selectFrom('memory_vault_entries').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
  }

  private async liveRow(q: MemoryDb, tenant: string, id: string): Promise<EntryRow> {
    const row = await this.row(q, tenant, id);
    if (!row) throw new MemoryNotFoundError('memory entry', id, 'does not exist (a save with an id only updates; leave the id out to add)');
    if (row.deleted) throw new MemoryNotFoundError('memory entry', id, 'is deleted; restore it before updating');
    return row;
  }

  private async rows(q: MemoryDb, tenant: string, ids: string[]): Promise<Map<string, EntryRow>> {
    if (!ids.length) return new Map();
    const rows = await q.selectFrom('memory_vault_entries').selectAll().where('tenant', '=', tenant).where('id', 'in', ids).execute();
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
