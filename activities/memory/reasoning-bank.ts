import { randomUUID } from 'node:crypto';
import type { MemoryConfig } from './config';
import type { ReasoningItem, ScoredReasoningItem } from './contracts';
import { MemoryNotFoundError, requireText } from './errors';
import { isPostgres, type MemoryTables } from '../db';
import { nowIso, type MemoryDb } from './memory-db';
import { derivedUuid } from '../vectors/derived-uuid';
import type { VectorSpace } from './vector-space';
import type { VectorRecord } from '../vectors/port';

type ItemRow = MemoryTables['reasoning_items'];

/** A strategy to store: what the judge/distiller produced for one run. */
export interface ReasoningDraft {
  title: string;
  description: string;
  content: string;
  taskSignature: string;
  antiPatterns?: string[];
  runId: string;
}

const DAY_MS = 86_400_000;

/**
 * The ReasoningBank: strategy items per tenant in the memory database, with two vectors each in the vector
 * store: the task signature (what advice is retrieved by) and the strategy text (what
 * near-duplicates are found by).
 */
export class ReasoningBank {
  constructor(
    private readonly db: MemoryDb,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['reasoning'],
  ) {}

  /**
   * Advice for a task: items whose signature is similar enough, confidence at least
   * minConfidence, ranked by similarityWeight x cosine + confidenceWeight x confidence.
   */
  async retrieve(tenant: string, taskSignature: string, topK = this.config.topK): Promise<ScoredReasoningItem[]> {
    const t = requireText('tenant', tenant);
    const signature = requireText('taskSignature', taskSignature);
    if (topK < 1 || !(await this.hasItems(t))) return [];
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(signature);
    const hits = await this.vectors.store.query(this.vectors.collection, { tenants: [t], vector, limit: topK * 4 + 10, filter: { kind: 'signature' } });
    const rows = await this.rows(t, hits.map((h) => h.id));
    const c = this.config;
    const scored: ScoredReasoningItem[] = [];
    for (const h of hits) {
      const row = rows.get(h.id);
      const similarity = this.vectors.documentScale.toReference(h.score);
      if (!row || row.confidence < c.minConfidence || similarity < c.minSimilarity) continue;
      scored.push({ ...toItem(row), similarity, score: c.similarityWeight * similarity + c.confidenceWeight * row.confidence });
    }
    return scored.sort((a, b) => b.score - a.score).slice(0, topK);
  }

  async markUsed(tenant: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('reasoning_items').set({ last_used: nowIso() }).where('tenant', '=', tenant).where('id', 'in', ids).execute();
  }

  /** Stores a strategy, or folds it into an existing one whose strategy text is a near-duplicate. */
  async add(tenant: string, draft: ReasoningDraft): Promise<{ id: string; merged: boolean }> {
    const t = requireText('tenant', tenant);
    const title = requireText('title', draft.title, 200);
    const content = requireText('content', draft.content, 4000);
    const taskSignature = requireText('taskSignature', draft.taskSignature, 4000);
    await this.vectors.ensure();
    const [strategyVector, signatureVector] = await this.vectors.embedder.embed([strategyText(title, content), taskSignature]);
    const [near] = (await this.hasItems(t))
      ? await this.vectors.store.query(this.vectors.collection, { tenants: [t], vector: strategyVector, limit: 1, filter: { kind: 'strategy' } })
      : [];
    const nearRow = near && this.vectors.documentScale.toReference(near.score) >= this.config.mergeSimilarity ? await this.row(this.db, t, String(near.payload.itemId)) : undefined;
    const now = nowIso();
    if (nearRow) {
      const item = toItem(nearRow);
      await this.write(this.db, t, {
        ...item,
        evidenceRunIds: keepLast(unique([...item.evidenceRunIds, draft.runId]), this.config.maxEvidenceRuns),
        antiPatterns: keepLast(unique([...item.antiPatterns, ...(draft.antiPatterns ?? [])]), this.config.maxAntiPatterns),
        updated: now,
      });
      return { id: item.id, merged: true };
    }
    const id = randomUUID();
    await this.write(this.db, t, {
      id,
      title,
      description: draft.description.trim(),
      content,
      taskSignature,
      antiPatterns: keepLast(unique(draft.antiPatterns ?? []), this.config.maxAntiPatterns),
      evidenceRunIds: [draft.runId],
      confidence: this.config.initialConfidence,
      created: now,
      updated: now,
      lastUsed: null,
    });
    await this.vectors.store.upsert(this.vectors.collection, itemVectors(t, id, title, content, taskSignature, strategyVector, signatureVector));
    return { id, merged: false };
  }

  /**
   * Re-embeds every item from the database (after a change of embedding model, when the old
   * vectors carry no text to re-embed from). Returns how many items were written.
   */
  async reindex(batchSize = 32): Promise<number> {
    const rows = await this.db.selectFrom('reasoning_items').selectAll().execute();
    return this.vectors.reembedRows(
      rows,
      (r) => [strategyText(r.title, r.content), r.task_signature],
      (r, [strategy, signature]) => itemVectors(r.tenant, r.id, r.title, r.content, r.task_signature, strategy!, signature!),
      batchSize,
    );
  }

  /**
   * Moves the confidence of used items by confidenceStep; a failure also records an anti-pattern.
   * Once per run and item: the run id joins the item's evidence.
   */
  async applyOutcome(tenant: string, ids: string[], outcome: 'success' | 'failure', runId: string, antiPattern?: string): Promise<string[]> {
    const updated: string[] = [];
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      for (const id of unique(ids)) {
        // FOR UPDATE in PostgreSQL: two runs moving one item's confidence apply one after the other.
        const row = await this.row(trx, tenant, id, true);
        if (!row) continue;
        const item = toItem(row);
        // Already counted for this run (a retry after a crash): moving it again would double the step.
        if (item.evidenceRunIds.includes(runId)) continue;
        const step = outcome === 'success' ? this.config.confidenceStep : -this.config.confidenceStep;
        await this.write(trx, tenant, {
          ...item,
          confidence: clamp01(round(item.confidence + step)),
          evidenceRunIds: keepLast(unique([...item.evidenceRunIds, runId]), this.config.maxEvidenceRuns),
          antiPatterns: outcome === 'failure' && antiPattern ? keepLast(unique([...item.antiPatterns, antiPattern]), this.config.maxAntiPatterns) : item.antiPatterns,
          updated: now,
        });
        updated.push(id);
      }
    });
    return updated;
  }

  /**
   * Decays items unused for staleAfterDays (decayStep per full stale period, counted once),
   * deletes those below pruneBelow, then keeps the maxItems best (confidence, then recent use).
   */
  async consolidate(tenant: string, now = new Date()): Promise<{ decayedIds: string[]; prunedIds: string[] }> {
    const c = this.config;
    const rows = await this.db.selectFrom('reasoning_items').selectAll().where('tenant', '=', tenant).execute();
    const decayedIds: string[] = [];
    const stamp = now.toISOString();
    await this.db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const since = Math.max(Date.parse(row.last_used ?? row.created), Date.parse(row.last_decay ?? row.created), Date.parse(row.updated));
        const periods = Math.floor((now.getTime() - since) / (c.staleAfterDays * DAY_MS));
        if (periods < 1) continue;
        row.confidence = clamp01(round(row.confidence - periods * c.decayStep));
        await trx.updateTable('reasoning_items').set({ confidence: row.confidence, last_decay: stamp }).where('tenant', '=', tenant).where('id', '=', row.id).execute();
        decayedIds.push(row.id);
      }
    });
    const recency = (r: ItemRow) => Date.parse(r.last_used ?? r.updated);
    const ranked = rows.filter((r) => r.confidence >= c.pruneBelow).sort((a, b) => b.confidence - a.confidence || recency(b) - recency(a));
    const keep = new Set(ranked.slice(0, c.maxItems).map((r) => r.id));
    const prunedIds = rows.filter((r) => !keep.has(r.id)).map((r) => r.id);
    await this.delete(tenant, prunedIds);
    return { decayedIds, prunedIds };
  }

  async get(tenant: string, id: string): Promise<ReasoningItem> {
    const row = await this.row(this.db, tenant, id);
    if (!row) throw new MemoryNotFoundError('reasoning item', id);
    return toItem(row);
  }

  async list(tenant: string): Promise<ReasoningItem[]> {
    const rows = await this.db.selectFrom('reasoning_items').selectAll().where('tenant', '=', tenant).orderBy('confidence', 'desc').orderBy('updated', 'desc').execute();
    return rows.map(toItem);
  }

  async delete(tenant: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.deleteFrom('reasoning_items').where('tenant', '=', tenant).where('id', 'in', ids).execute();
    await this.vectors.ensure();
    await this.vectors.store.delete(this.vectors.collection, tenant, [...ids, ...ids.map(strategyVectorId)]);
  }

  private async hasItems(tenant: string): Promise<boolean> {
    return !!(await this.db.selectFrom('reasoning_items').select('id').where('tenant', '=', tenant).limit(1).executeTakeFirst());
  }

  private async write(q: MemoryDb, tenant: string, item: ReasoningItem): Promise<void> {
    await q
      .insertInto('reasoning_items')
      .values({
        tenant,
        id: item.id,
        title: item.title,
        description: item.description,
        content: item.content,
        task_signature: item.taskSignature,
        anti_patterns: JSON.stringify(item.antiPatterns),
        evidence_run_ids: JSON.stringify(item.evidenceRunIds),
        confidence: item.confidence,
        created: item.created,
        updated: item.updated,
        last_used: item.lastUsed,
        last_decay: null,
      })
      .onConflict((oc) =>
        oc.columns(['tenant', 'id']).doUpdateSet((eb) => ({
          anti_patterns: eb.ref('excluded.anti_patterns'),
          evidence_run_ids: eb.ref('excluded.evidence_run_ids'),
          confidence: eb.ref('excluded.confidence'),
          updated: eb.ref('excluded.updated'),
        })),
      )
      .execute();
  }

  private row(q: MemoryDb, tenant: string, id: string, forUpdate = false): Promise<ItemRow | undefined> {
    const query = q.selectFrom('reasoning_items').selectAll().where('tenant', '=', tenant).where('id', '=', id);
    // SQLite has no row locks (its transactions hold the whole file); PostgreSQL locks the row.
    return (forUpdate && isPostgres(q) ? query.forUpdate() : query).executeTakeFirst();
  }

  private async rows(tenant: string, ids: string[]): Promise<Map<string, ItemRow>> {
    if (!ids.length) return new Map();
    const rows = await this.db.selectFrom('reasoning_items').selectAll().where('tenant', '=', tenant).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r]));
  }
}

/** The "Strategy Advice" block for the system prompt. */
export function formatAdvice(items: ReasoningItem[]): string {
  if (!items.length) return '';
  const lines = items.map((it, i) => {
    const avoid = it.antiPatterns.length ? ` Avoid: ${it.antiPatterns.slice(-3).join('; ')}.` : '';
    return `${i + 1}. ${it.title}: ${it.content}${avoid}`;
  });
  return ['Strategy Advice (learned from earlier runs of similar tasks; use it when it applies):', ...lines].join('\n');
}

function strategyText(title: string, content: string): string {
  return `${title}. ${content}`;
}

function strategyVectorId(itemId: string): string {
  return derivedUuid(['strategy', itemId]);
}

function toItem(row: ItemRow): ReasoningItem {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    content: row.content,
    taskSignature: row.task_signature,
    antiPatterns: JSON.parse(row.anti_patterns) as string[],
    evidenceRunIds: JSON.parse(row.evidence_run_ids) as string[],
    confidence: row.confidence,
    created: row.created,
    updated: row.updated,
    lastUsed: row.last_used,
  };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x && x.trim()))];
}

function keepLast<T>(xs: T[], n: number): T[] {
  return xs.length > n ? xs.slice(xs.length - n) : xs;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

// Confidence moves in steps of 0.1/0.05: round away float noise so 0.5 + 0.1 - 0.1 is 0.5 again.
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** An item's two vectors, each with the text it was embedded from (so a new model can re-embed it). */
function itemVectors(tenant: string, id: string, title: string, content: string, taskSignature: string, strategy: Float32Array, signature: Float32Array): VectorRecord[] {
  return [
    { id, tenant, vector: signature, text: taskSignature, payload: { kind: 'signature' } },
    { id: strategyVectorId(id), tenant, vector: strategy, text: strategyText(title, content), payload: { kind: 'strategy', itemId: id } },
  ];
}
