import { randomUUID } from 'node:crypto';
import type { MemoryConfig } from './config';
import type { ReasoningItem, ScoredReasoningItem } from './contracts';
import { MemoryNotFoundError, requireText } from './errors';
import { nowIso, type MemoryDatabase } from './sqlite';
import { derivedUuid } from '../vectors/derived-uuid';
import type { VectorSpace } from './vector-space';

interface ItemRow {
  tenant: string;
  id: string;
  title: string;
  description: string;
  content: string;
  task_signature: string;
  anti_patterns: string;
  evidence_run_ids: string;
  confidence: number;
  created: string;
  updated: string;
  last_used: string | null;
  last_decay: string | null;
}

/** A strategy to store: what the judge/distiller produced for one run. */
export interface ReasoningDraft {
  title: string;
  description: string;
  content: string;
  taskSignature: string;
  antiPatterns?: string[];
  runId: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reasoning_items (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  content TEXT NOT NULL,
  task_signature TEXT NOT NULL,
  anti_patterns TEXT NOT NULL,
  evidence_run_ids TEXT NOT NULL,
  confidence REAL NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  last_used TEXT,
  last_decay TEXT,
  PRIMARY KEY (tenant, id)
);
`;

const DAY_MS = 86_400_000;

/**
 * The ReasoningBank: strategy items per tenant in SQLite, with two vectors each in the vector
 * store: the task signature (what advice is retrieved by) and the strategy text (what
 * near-duplicates are found by).
 */
export class ReasoningBank {
  constructor(
    private readonly db: MemoryDatabase,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['reasoning'],
  ) {
    db.exec(SCHEMA);
  }

  /**
   * Advice for a task: items whose signature is similar enough, confidence at least
   * minConfidence, ranked by similarityWeight x cosine + confidenceWeight x confidence.
   */
  async retrieve(tenant: string, taskSignature: string, topK = this.config.topK): Promise<ScoredReasoningItem[]> {
    const t = requireText('tenant', tenant);
    const signature = requireText('taskSignature', taskSignature);
    if (topK < 1 || !this.hasItems(t)) return [];
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(signature);
    const hits = await this.vectors.store.query(this.vectors.collection, { tenants: [t], vector, limit: topK * 4 + 10, filter: { kind: 'signature' } });
    const rows = this.rows(t, hits.map((h) => h.id));
    const c = this.config;
    const scored: ScoredReasoningItem[] = [];
    for (const h of hits) {
      const row = rows.get(h.id);
      if (!row || row.confidence < c.minConfidence || h.score < c.minSimilarity) continue;
      scored.push({ ...toItem(row), similarity: h.score, score: c.similarityWeight * h.score + c.confidenceWeight * row.confidence });
    }
    return scored.sort((a, b) => b.score - a.score).slice(0, topK);
  }

  markUsed(tenant: string, ids: string[]): void {
    const stmt = this.db.prepare('UPDATE reasoning_items SET last_used = ? WHERE tenant = ? AND id = ?');
    const now = nowIso();
    this.db.transaction(() => ids.forEach((id) => stmt.run(now, tenant, id)))();
  }

  /** Stores a strategy, or folds it into an existing one whose strategy text is a near-duplicate. */
  async add(tenant: string, draft: ReasoningDraft): Promise<{ id: string; merged: boolean }> {
    const t = requireText('tenant', tenant);
    const title = requireText('title', draft.title, 200);
    const content = requireText('content', draft.content, 4000);
    const taskSignature = requireText('taskSignature', draft.taskSignature, 4000);
    await this.vectors.ensure();
    const [strategyVector, signatureVector] = await this.vectors.embedder.embed([strategyText(title, content), taskSignature]);
    const [near] = this.hasItems(t)
      ? await this.vectors.store.query(this.vectors.collection, { tenants: [t], vector: strategyVector, limit: 1, filter: { kind: 'strategy' } })
      : [];
    const nearRow = near && near.score >= this.config.mergeSimilarity ? this.row(t, String(near.payload.itemId)) : undefined;
    const now = nowIso();
    if (nearRow) {
      const item = toItem(nearRow);
      this.write(t, {
        ...item,
        evidenceRunIds: keepLast(unique([...item.evidenceRunIds, draft.runId]), this.config.maxEvidenceRuns),
        antiPatterns: keepLast(unique([...item.antiPatterns, ...(draft.antiPatterns ?? [])]), this.config.maxAntiPatterns),
        updated: now,
      });
      return { id: item.id, merged: true };
    }
    const id = randomUUID();
    this.write(t, {
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
    await this.vectors.store.upsert(this.vectors.collection, [
      { id, tenant: t, vector: signatureVector, payload: { kind: 'signature' } },
      { id: strategyVectorId(id), tenant: t, vector: strategyVector, payload: { kind: 'strategy', itemId: id } },
    ]);
    return { id, merged: false };
  }

  /**
   * Moves the confidence of used items by confidenceStep; a failure also records an anti-pattern.
   * Once per run and item: the run id joins the item's evidence.
   */
  applyOutcome(tenant: string, ids: string[], outcome: 'success' | 'failure', runId: string, antiPattern?: string): string[] {
    const updated: string[] = [];
    const now = nowIso();
    this.db.transaction(() => {
      for (const id of unique(ids)) {
        const row = this.row(tenant, id);
        if (!row) continue;
        const item = toItem(row);
        // Already counted for this run (a retry after a crash): moving it again would double the step.
        if (item.evidenceRunIds.includes(runId)) continue;
        const step = outcome === 'success' ? this.config.confidenceStep : -this.config.confidenceStep;
        this.write(tenant, {
          ...item,
          confidence: clamp01(round(item.confidence + step)),
          evidenceRunIds: keepLast(unique([...item.evidenceRunIds, runId]), this.config.maxEvidenceRuns),
          antiPatterns: outcome === 'failure' && antiPattern ? keepLast(unique([...item.antiPatterns, antiPattern]), this.config.maxAntiPatterns) : item.antiPatterns,
          updated: now,
        });
        updated.push(id);
      }
    })();
    return updated;
  }

  /**
   * Decays items unused for staleAfterDays (decayStep per full stale period, counted once),
   * deletes those below pruneBelow, then keeps the maxItems best (confidence, then recent use).
   */
  async consolidate(tenant: string, now = new Date()): Promise<{ decayedIds: string[]; prunedIds: string[] }> {
    const c = this.config;
    const rows = this.db.prepare('SELECT * FROM reasoning_items WHERE tenant = ?').all(tenant) as ItemRow[];
    const decayedIds: string[] = [];
    const decay = this.db.prepare('UPDATE reasoning_items SET confidence = ?, last_decay = ? WHERE tenant = ? AND id = ?');
    const stamp = now.toISOString();
    this.db.transaction(() => {
      for (const row of rows) {
        const since = Math.max(Date.parse(row.last_used ?? row.created), Date.parse(row.last_decay ?? row.created), Date.parse(row.updated));
        const periods = Math.floor((now.getTime() - since) / (c.staleAfterDays * DAY_MS));
        if (periods < 1) continue;
        row.confidence = clamp01(round(row.confidence - periods * c.decayStep));
        decay.run(row.confidence, stamp, tenant, row.id);
        decayedIds.push(row.id);
      }
    })();
    const recency = (r: ItemRow) => Date.parse(r.last_used ?? r.updated);
    const ranked = rows.filter((r) => r.confidence >= c.pruneBelow).sort((a, b) => b.confidence - a.confidence || recency(b) - recency(a));
    const keep = new Set(ranked.slice(0, c.maxItems).map((r) => r.id));
    const prunedIds = rows.filter((r) => !keep.has(r.id)).map((r) => r.id);
    await this.delete(tenant, prunedIds);
    return { decayedIds, prunedIds };
  }

  get(tenant: string, id: string): ReasoningItem {
    const row = this.row(tenant, id);
    if (!row) throw new MemoryNotFoundError('reasoning item', id);
    return toItem(row);
  }

  list(tenant: string): ReasoningItem[] {
    return (this.db.prepare('SELECT * FROM reasoning_items WHERE tenant = ? ORDER BY confidence DESC, updated DESC').all(tenant) as ItemRow[]).map(toItem);
  }

  async delete(tenant: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const del = this.db.prepare('DELETE FROM reasoning_items WHERE tenant = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => del.run(tenant, id)))();
    await this.vectors.ensure();
    await this.vectors.store.delete(this.vectors.collection, tenant, [...ids, ...ids.map(strategyVectorId)]);
  }

  private hasItems(tenant: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM reasoning_items WHERE tenant = ? LIMIT 1').get(tenant);
  }

  private write(tenant: string, item: ReasoningItem): void {
    this.db
      .prepare(
        `INSERT INTO reasoning_items (tenant, id, title, description, content, task_signature, anti_patterns, evidence_run_ids, confidence, created, updated, last_used)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, id) DO UPDATE SET anti_patterns = excluded.anti_patterns, evidence_run_ids = excluded.evidence_run_ids,
           confidence = excluded.confidence, updated = excluded.updated`,
      )
      .run(
        tenant,
        item.id,
        item.title,
        item.description,
        item.content,
        item.taskSignature,
        JSON.stringify(item.antiPatterns),
        JSON.stringify(item.evidenceRunIds),
        item.confidence,
        item.created,
        item.updated,
        item.lastUsed,
      );
  }

  private row(tenant: string, id: string): ItemRow | undefined {
    return this.db.prepare('SELECT * FROM reasoning_items WHERE tenant = ? AND id = ?').get(tenant, id) as ItemRow | undefined;
  }

  private rows(tenant: string, ids: string[]): Map<string, ItemRow> {
    if (!ids.length) return new Map();
    const rows = this.db.prepare(`SELECT * FROM reasoning_items WHERE tenant = ? AND id IN (${ids.map(() => '?').join(',')})`).all(tenant, ...ids) as ItemRow[];
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
