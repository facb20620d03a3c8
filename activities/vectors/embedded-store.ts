/**
 * The embedded vector store: SQLite (better-sqlite3) holds the records durably; each collection
 * is mirrored in memory as packed Float32 rows per tenant and searched exactly (brute force).
 * docs/embedded-vector-store.md has the measurements behind this choice. Several processes may
 * share the file: every write bumps the collection's version, and a reader whose copy is older
 * reloads it before answering.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { JsonValue } from '../contracts';
import { cachingStatements, type CachingDatabase } from '../db/statement-cache';
import { VectorStoreError } from './errors';
import { matchesFilter, validateFilter, type FilterValue } from './filter';
import { fuseRankingsTop, HYBRID_CANDIDATES, LEXICAL_WEIGHT, LexicalIndex } from './lexical-index';
import type { VectorHit, VectorQuery, VectorRecord, VectorStore } from './port';
import { TenantAnnIndex, type AnnOptions } from './tenant-ann-index';
import { RowMatrix } from './row-matrix';
import { normalized, TopK, topIndices } from './vector-math';

interface Segment {
  ids: string[];
  payloads: Record<string, JsonValue>[];
  /** The records' keyword text (VectorRecord.text), searched by `lex`. */
  texts: string[];
  /** Built on the tenant's first hybrid query, then kept up to date. */
  lex?: LexicalIndex;
  slotOf: Map<string, number>;
  rows: RowMatrix;
  /** An HNSW index once the tenant is large and has been searched (see tenant-ann-index.ts). */
  ann?: TenantAnnIndex;
}

interface CachedCollection {
  dimension: number;
  version: number;
  tenants: Map<string, Segment>;
  /** The connection's data_version when `version` was last read: unchanged, no other connection has written since. */
  checkedAt: number;
}

interface PointRow {
  rowid: number;
  tenant: string;
  id: string;
  vector: Buffer;
  payload: string;
  lexical: string | null;
}

interface Candidate {
  tenant: string;
  seg: Segment;
  slot: number;
  /** The record's identity within one query (its tenant's place in the query, its slot): fusing
   * the two rankings by a number, not an id string, was a tenth of a small vault's search. */
  key: number;
}

/** Slots per tenant in a candidate key: more than a segment ever holds. */
const TENANT_STRIDE = 2 ** 32;

/** The keyword text of a record: its own, or (rows written before hybrid search) the payload's text. */
function lexicalText(text: string | null | undefined, payload: Record<string, JsonValue>): string {
  if (typeof text === 'string') return text;
  return typeof payload.text === 'string' ? payload.text : '';
}

function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBlob(b: Buffer): Float32Array {
  const copy = new Float32Array(b.byteLength / 4);
  Buffer.from(copy.buffer).set(b);
  return copy;
}

export class EmbeddedVectorStore implements VectorStore {
  readonly kind = 'embedded';
  private readonly db: Database.Database;
  /** Prepared once per SQL text: a search reads the collection's version every time. */
  private readonly statements: CachingDatabase;
  private readonly cache = new Map<string, CachedCollection>();

  /**
   * @param ann large tenants get an approximate index (results rescored exactly); undefined keeps
   * every search an exact scan. createDefaultVectorStore passes annOptionsFromEnv().
   */
  constructor(
    readonly file: string,
    private readonly ann?: AnnOptions,
  ) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.statements = cachingStatements(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS vs_collections (name TEXT PRIMARY KEY, dimension INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS vs_points (
        rowid INTEGER PRIMARY KEY,
        collection TEXT NOT NULL, tenant TEXT NOT NULL, id TEXT NOT NULL,
        vector BLOB NOT NULL, payload TEXT NOT NULL,
        UNIQUE (collection, tenant, id)
      );
      CREATE INDEX IF NOT EXISTS vs_points_tenant ON vs_points (collection, tenant, rowid);
    `);
    // Files from before hybrid search lack the keyword column; their rows fall back to payload.text.
    const columns = this.statements.prepare('PRAGMA table_info(vs_points)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'lexical')) this.db.exec('ALTER TABLE vs_points ADD COLUMN lexical TEXT');
  }

  async listCollections(): Promise<string[]> {
    return (this.statements.prepare('SELECT name FROM vs_collections ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }

  async ensureCollection(collection: string, dimension: number): Promise<void> {
    if (!collection) throw new VectorStoreError('collection name is empty', 'bad_query');
    if (!Number.isInteger(dimension) || dimension <= 0) throw new VectorStoreError(`dimension must be a positive integer, got ${dimension}`, 'bad_query');
    const row = this.statements.prepare('SELECT dimension FROM vs_collections WHERE name = ?').get(collection) as { dimension: number } | undefined;
    if (row && row.dimension !== dimension) {
      throw new VectorStoreError(`collection ${collection} holds ${row.dimension}-d vectors, not ${dimension}-d`, 'dimension_mismatch');
    }
    if (!row) this.statements.prepare('INSERT OR IGNORE INTO vs_collections (name, dimension) VALUES (?, ?)').run(collection, dimension);
  }

  private collectionInfo(collection: string): { dimension: number; version: number } {
    const row = this.statements.prepare('SELECT dimension, version FROM vs_collections WHERE name = ?').get(collection) as
      | { dimension: number; version: number }
      | undefined;
    if (!row) throw new VectorStoreError(`collection ${collection} does not exist (ensureCollection first)`, 'unknown_collection');
    return row;
  }

  /**
   * The in-memory copy of a collection, reloaded when another connection has written to it since.
   * SQLite's data_version changes only when another connection commits, so while it stands still
   * the copy is current (this connection's own writes update it in place) without reading the
   * collection's version: that read was a tenth of a small vault's search.
   */
  private loaded(collection: string): CachedCollection {
    const cached = this.cache.get(collection);
    const dataVersion = this.statements.prepare('PRAGMA data_version').pluck().get() as number;
    if (cached && cached.checkedAt === dataVersion) return cached;
    const info = this.collectionInfo(collection);
    if (cached && cached.version === info.version) {
      cached.checkedAt = dataVersion;
      return cached;
    }
    if (cached) this.dispose(cached);
    const fresh: CachedCollection = { dimension: info.dimension, version: info.version, tenants: new Map(), checkedAt: dataVersion };
    const rows = this.statements.prepare('SELECT tenant, id, vector, payload, lexical FROM vs_points WHERE collection = ? ORDER BY rowid').iterate(collection);
    for (const r of rows as Iterable<PointRow>) {
      const payload = JSON.parse(r.payload) as Record<string, JsonValue>;
      this.place(fresh, r.tenant, r.id, fromBlob(r.vector), payload, lexicalText(r.lexical, payload));
    }
    this.cache.set(collection, fresh);
    return fresh;
  }

  private place(c: CachedCollection, tenant: string, id: string, unit: Float32Array, payload: Record<string, JsonValue>, text: string): void {
    let seg = c.tenants.get(tenant);
    if (!seg) {
      seg = { ids: [], payloads: [], texts: [], slotOf: new Map(), rows: new RowMatrix(c.dimension) };
      c.tenants.set(tenant, seg);
    }
    let slot = seg.slotOf.get(id);
    if (slot === undefined) {
      slot = seg.ids.length;
      seg.ids.push(id);
      seg.payloads.push(payload);
      seg.texts.push(text);
      seg.slotOf.set(id, slot);
    } else {
      seg.payloads[slot] = payload;
      seg.texts[slot] = text;
    }
    seg.rows.set(slot, unit);
    seg.ann?.upsert(id, unit);
    seg.lex?.add(id, text);
  }

  private unplace(c: CachedCollection, tenant: string, id: string): void {
    const seg = c.tenants.get(tenant);
    const slot = seg?.slotOf.get(id);
    if (!seg || slot === undefined) return;
    // Swap the last row into the hole: search order does not matter, scroll order comes from SQLite.
    const last = seg.ids.length - 1;
    if (slot !== last) {
      seg.ids[slot] = seg.ids[last]!;
      seg.payloads[slot] = seg.payloads[last]!;
      seg.texts[slot] = seg.texts[last]!;
      seg.rows.copy(last, slot);
      seg.slotOf.set(seg.ids[slot]!, slot);
    }
    seg.ids.pop();
    seg.payloads.pop();
    seg.texts.pop();
    seg.slotOf.delete(id);
    seg.ann?.remove(id);
    seg.lex?.remove(id);
    if (seg.ids.length === 0) {
      seg.ann?.dispose();
      c.tenants.delete(tenant);
    }
  }

  private dispose(c: CachedCollection): void {
    for (const seg of c.tenants.values()) seg.ann?.dispose();
  }

  /** The tenant's approximate index if it is ready; starts building one for a large tenant. */
  private annFor(c: CachedCollection, seg: Segment): TenantAnnIndex | undefined {
    if (!this.ann || seg.ids.length < this.ann.minRows) return undefined;
    seg.ann ??= new TenantAnnIndex(c.dimension, this.ann, (id) => {
      const slot = seg.slotOf.get(id);
      return slot === undefined ? undefined : seg.rows.row(slot);
    }, seg.ids);
    return seg.ann.ready ? seg.ann : undefined;
  }

  /** Whether a tenant's approximate index is built (for benchmarks and tests). */
  annStatus(collection: string, tenant: string): { rows: number; indexed: number; ready: boolean; builtInMs?: number } | undefined {
    const seg = this.cache.get(collection)?.tenants.get(tenant);
    return seg?.ann ? { rows: seg.ids.length, indexed: seg.ann.size, ready: seg.ann.ready, builtInMs: seg.ann.builtInMs } : undefined;
  }

  /** Runs a write and bumps the version; our own copy follows along instead of reloading. */
  private write(collection: string, apply: (c: CachedCollection | undefined) => void): void {
    const tx = this.db.transaction(() => {
      const before = this.collectionInfo(collection);
      const cached = this.cache.get(collection);
      const inSync = cached && cached.version === before.version ? cached : undefined;
      if (!inSync && cached) {
        this.dispose(cached);
        this.cache.delete(collection);
      }
      apply(inSync);
      this.statements.prepare('UPDATE vs_collections SET version = version + 1 WHERE name = ?').run(collection);
      if (inSync) inSync.version = before.version + 1;
    });
    try {
      tx();
    } catch (err) {
      // The transaction rolled back, but our copy may have been half-updated: reload it next time.
      const cached = this.cache.get(collection);
      if (cached) this.dispose(cached);
      this.cache.delete(collection);
      throw err;
    }
  }

  async upsert(collection: string, records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { dimension } = this.collectionInfo(collection);
    for (const r of records) {
      if (!r.id || typeof r.id !== 'string') throw new VectorStoreError(`record id must be a non-empty string (collection ${collection})`, 'bad_record');
      if (!r.tenant) throw new VectorStoreError(`record ${r.id} has no tenant`, 'bad_record');
      if (!ArrayBuffer.isView(r.vector) || r.vector.length !== dimension) {
        throw new VectorStoreError(`record ${r.id}: vector has ${r.vector?.length} dimensions, collection ${collection} holds ${dimension}`, 'dimension_mismatch');
      }
    }
    const stmt = this.statements.prepare(
      `INSERT INTO vs_points (collection, tenant, id, vector, payload, lexical) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (collection, tenant, id) DO UPDATE SET vector = excluded.vector, payload = excluded.payload, lexical = excluded.lexical`,
    );
    this.write(collection, (c) => {
      for (const r of records) {
        const unit = normalized(r.vector);
        const payload = r.payload ?? {};
        const text = r.text ?? null;
        stmt.run(collection, r.tenant, r.id, toBlob(unit), JSON.stringify(payload), text);
        if (c) this.place(c, r.tenant, r.id, unit, structuredClone(payload), lexicalText(text, payload));
      }
    });
  }

  async query(collection: string, q: VectorQuery): Promise<VectorHit[]> {
    if (!q.tenants || q.tenants.length === 0) throw new VectorStoreError('a query needs at least one tenant', 'bad_query');
    if (!Number.isInteger(q.limit) || q.limit < 0) throw new VectorStoreError(`limit must be a non-negative integer, got ${q.limit}`, 'bad_query');
    const filter = validateFilter(q.filter);
    const c = this.loaded(collection);
    if (q.vector.length !== c.dimension) {
      throw new VectorStoreError(`query vector has ${q.vector.length} dimensions, collection ${collection} holds ${c.dimension}`, 'dimension_mismatch');
    }
    const unit = normalized(q.vector);
    const tenants = [...new Set(q.tenants)];
    const hybrid = typeof q.text === 'string' && q.text.trim() !== '' && q.limit > 0;
    const dense = this.denseTop(c, tenants, unit, hybrid ? Math.max(q.limit, HYBRID_CANDIDATES) : q.limit, filter);
    const hit = (cand: Candidate, score: number, lexical?: number, ranks?: VectorHit['ranks']): VectorHit => ({
      id: cand.seg.ids[cand.slot]!,
      tenant: cand.tenant,
      score,
      payload: structuredClone(cand.seg.payloads[cand.slot]!),
      ...(lexical !== undefined ? { lexical } : {}),
      ...(ranks ? { ranks } : {}),
    });
    if (!hybrid) return dense.map(({ score, item }) => hit(item, score));

    const lexical = this.lexicalTop(c, tenants, q.text!, Math.max(q.limit, HYBRID_CANDIDATES), filter);
    const fused = fuseRankingsTop([{ keys: dense.map((d) => d.item.key) }, { keys: lexical.map((l) => l.item.key), weight: LEXICAL_WEIGHT }], q.limit);
    return fused.map(({ places }) => {
      const [byVector, byKeyword] = [dense[places[0]!], lexical[places[1]!]];
      const cand = (byVector ?? byKeyword)!.item;
      const ranks = { ...(byVector ? { vector: places[0]! + 1 } : {}), ...(byKeyword ? { lexical: places[1]! + 1 } : {}) };
      return hit(cand, cand.seg.rows.dot(unit, cand.slot), byKeyword?.score, ranks);
    });
  }

  /** The best `limit` records by cosine, best first. */
  private denseTop(c: CachedCollection, tenants: string[], unit: Float32Array, limit: number, filter: Record<string, FilterValue>) {
    const hasFilter = Object.keys(filter).length > 0;
    const top = new TopK<Candidate>(limit);
    for (const [t, tenant] of tenants.entries()) {
      const seg = c.tenants.get(tenant);
      if (!seg) continue;
      // A large tenant without a filter: HNSW candidates, scored exactly like the scan would.
      const ann = hasFilter || limit === 0 ? undefined : this.annFor(c, seg);
      if (ann) {
        for (const id of ann.search(unit, limit)) {
          const slot = seg.slotOf.get(id);
          if (slot === undefined) continue;
          const score = seg.rows.dot(unit, slot);
          if (score > top.threshold) top.push(score, { tenant, seg, slot, key: t * TENANT_STRIDE + slot });
        }
        continue;
      }
      const n = seg.ids.length;
      const scores = seg.rows.scan(unit, n);
      if (hasFilter) for (let slot = 0; slot < n; slot++) if (!matchesFilter(seg.payloads[slot]!, filter)) scores[slot] = NaN;
      const best = topIndices(scores, n, limit);
      // One tenant (a vault search): its selection is the answer, with nothing to merge.
      if (tenants.length === 1) return best.map((slot) => ({ score: scores[slot]!, item: { tenant, seg, slot, key: slot } }));
      for (const slot of best) top.push(scores[slot]!, { tenant, seg, slot, key: t * TENANT_STRIDE + slot });
    }
    return top.results();
  }

  /** The best `limit` records by BM25 over their keyword text, best first. */
  private lexicalTop(c: CachedCollection, tenants: string[], text: string, limit: number, filter: Record<string, FilterValue>) {
    const hasFilter = Object.keys(filter).length > 0;
    const top = new TopK<Candidate>(limit);
    for (const [t, tenant] of tenants.entries()) {
      const seg = c.tenants.get(tenant);
      if (!seg) continue;
      if (!seg.lex) {
        seg.lex = new LexicalIndex();
        seg.ids.forEach((id, slot) => seg.lex!.add(id, seg.texts[slot]!));
      }
      const accept = hasFilter ? (id: string) => matchesFilter(seg.payloads[seg.slotOf.get(id)!]!, filter) : undefined;
      for (const [id, score] of seg.lex.scores(text, accept)) {
        if (score > top.threshold) {
          const slot = seg.slotOf.get(id)!;
          top.push(score, { tenant, seg, slot, key: t * TENANT_STRIDE + slot });
        }
      }
    }
    return top.results();
  }

  async get(collection: string, tenant: string, ids: string[]): Promise<VectorRecord[]> {
    this.collectionInfo(collection);
    if (ids.length === 0) return [];
    const stmt = this.statements.prepare('SELECT rowid, tenant, id, vector, payload, lexical FROM vs_points WHERE collection = ? AND tenant = ? AND id = ?');
    const out: VectorRecord[] = [];
    for (const id of ids) {
      const r = stmt.get(collection, tenant, id) as PointRow | undefined;
      if (r) out.push(this.toRecord(r, JSON.parse(r.payload)));
    }
    return out;
  }

  private toRecord(r: PointRow, payload: Record<string, JsonValue>): VectorRecord {
    return { id: r.id, tenant: r.tenant, vector: fromBlob(r.vector), payload, ...(r.lexical !== null ? { text: r.lexical } : {}) };
  }

  async delete(collection: string, tenant: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const stmt = this.statements.prepare('DELETE FROM vs_points WHERE collection = ? AND tenant = ? AND id = ?');
    this.write(collection, (c) => {
      for (const id of ids) {
        stmt.run(collection, tenant, id);
        if (c) this.unplace(c, tenant, id);
      }
    });
  }

  async deleteTenant(collection: string, tenant: string): Promise<void> {
    this.write(collection, (c) => {
      this.statements.prepare('DELETE FROM vs_points WHERE collection = ? AND tenant = ?').run(collection, tenant);
      c?.tenants.get(tenant)?.ann?.dispose();
      c?.tenants.delete(tenant);
    });
  }

  async count(collection: string, tenant: string, filter?: Record<string, JsonValue>): Promise<number> {
    const f = validateFilter(filter);
    if (Object.keys(f).length === 0) {
      this.collectionInfo(collection);
      const row = this.statements.prepare('SELECT count(*) AS n FROM vs_points WHERE collection = ? AND tenant = ?').get(collection, tenant) as { n: number };
      return row.n;
    }
    const seg = this.loaded(collection).tenants.get(tenant);
    return seg ? seg.payloads.filter((p) => matchesFilter(p, f)).length : 0;
  }

  async scroll(
    collection: string,
    tenant: string,
    opts: { limit: number; cursor?: string; filter?: Record<string, JsonValue> },
  ): Promise<{ records: VectorRecord[]; cursor?: string }> {
    this.collectionInfo(collection);
    const f = validateFilter(opts.filter);
    if (!Number.isInteger(opts.limit) || opts.limit <= 0) throw new VectorStoreError(`scroll limit must be a positive integer, got ${opts.limit}`, 'bad_query');
    let after = opts.cursor ? Number(opts.cursor) : 0;
    if (!Number.isInteger(after) || after < 0) throw new VectorStoreError(`scroll cursor ${opts.cursor} is not one this store gave out`, 'bad_query');
    const stmt = this.statements.prepare(
      'SELECT rowid, tenant, id, vector, payload, lexical FROM vs_points WHERE collection = ? AND tenant = ? AND rowid > ? ORDER BY rowid LIMIT ?',
    );
    const records: VectorRecord[] = [];
    for (;;) {
      const rows = stmt.all(collection, tenant, after, opts.limit) as PointRow[];
      for (const r of rows) {
        after = r.rowid;
        const payload = JSON.parse(r.payload) as Record<string, JsonValue>;
        if (!matchesFilter(payload, f)) continue;
        records.push(this.toRecord(r, payload));
        if (records.length === opts.limit) {
          const more = stmt.get(collection, tenant, after, 1);
          return { records, cursor: more ? String(after) : undefined };
        }
      }
      if (rows.length < opts.limit) return { records };
    }
  }

  async listTenants(collection: string): Promise<string[]> {
    const rows = this.statements.prepare('SELECT DISTINCT tenant FROM vs_points WHERE collection = ? ORDER BY tenant').all(collection) as { tenant: string }[];
    return rows.map((r) => r.tenant);
  }

  async close(): Promise<void> {
    for (const c of this.cache.values()) this.dispose(c);
    this.cache.clear();
    if (this.db.open) this.db.close();
  }
}
