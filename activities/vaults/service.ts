/**
 * Vaults: named collections of text items with metadata, searchable by meaning. The one service
 * behind the CLI, the HTTP API, chat and the flow activities. Items live in the vector store
 * (tenant "vault:<name>" in the embedding model's collection); settings and key-value data live
 * in the settings and key-value stores. Export and import are in vault-transfer.ts, the checks
 * of what callers pass in vault-input.ts.
 */
import crypto from 'node:crypto';
import type { JsonValue, ModelMessage, ScoredVaultItem, VaultItem } from '../contracts';
import type { Embedder } from '../embeddings/port';
import type { RerankStage } from '../rerank/stage';
import { onceUntilFailure } from '../common/once-until-failure';
import { inSpan } from '../common/spans';
import { collectionName } from '../vectors/collection-name';
import { derivedUuid } from '../vectors/derived-uuid';
import type { VectorRecord, VectorStore } from '../vectors/port';
import { chunkText, type ChunkOptions } from './chunking';
import { VaultError } from './errors';
import { offlineSearchQuery, type QueryRewriter } from './history-search';
import type { KeyValueStore } from './kv-store';
import { combineWithMinimums, parseMinimums, type Shortfall } from './multi-vault';
import { itemFromHit, itemFromPayload, itemPayload, type ItemPayload } from './item-payload';
import { checkMetadata, checkN, metadataFilter, type ItemToPut, type NewItem } from './vault-input';
import { checkVaultName, vaultOfTenant, vaultTenant } from './vault-names';
import type { VaultSettings, VaultSettingsStore } from './vault-settings-store';
import { exportVault, importVault, type VaultExport, type VaultTransferDeps } from './vault-transfer';

export interface VaultServiceDeps {
  embedder: Embedder;
  store: VectorStore;
  settings: VaultSettingsStore;
  kv: KeyValueStore;
  chunking?: ChunkOptions;
  /** Rescores each search's best candidates with a cross-encoder (PAR_RERANK_MODEL); absent: no rerank stage. */
  rerank?: RerankStage;
  /** A model-backed query rewriter for smart history search, by model id. */
  queryRewriterFor?: (model: string) => QueryRewriter | undefined;
  now?: () => Date;
  newId?: () => string;
}

export interface SearchOptions {
  n?: number;
  filter?: Record<string, JsonValue>;
  /**
   * Hybrid ranking (the default): the vector ranking and a BM25 keyword ranking over the whole
   * vault are fused by the store (weighted reciprocal rank fusion). Scores stay cosine
   * similarities, so results are ordered by fused rank, not by score. `false`: vectors only.
   * docs/vaults.md has the measurements.
   */
  hybrid?: boolean;
  /**
   * With a rerank stage configured (the default then): the store's best candidates are rescored
   * by the cross-encoder and returned in its order, each with its `rerankScore`. `false`: the
   * store's order.
   */
  rerank?: boolean;
}

const PAGE = 256;
/** Chunks embedded and written together by add(). */
const ADD_BATCH = 64;


/** A deterministic UUID-shaped id from a seed, for retries that must write the same item. */
export function stableItemId(seed: string): string {
  return derivedUuid([seed], { variantNibble: 'a' });
}

export class VaultService {
  readonly collection: string;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly transfer: VaultTransferDeps;

  constructor(private readonly deps: VaultServiceDeps) {
    this.collection = collectionName(deps.embedder.model, deps.embedder.dimension);
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.transfer = { items: this, embedder: deps.embedder, settings: deps.settings, now: this.now };
  }

  get embedder(): Embedder {
    return this.deps.embedder;
  }

  private readonly ensure = onceUntilFailure(() => this.deps.store.ensureCollection(this.collection, this.deps.embedder.dimension));

  // ---- writing ------------------------------------------------------------------------------

  /** Splits text into chunks, as add() would. Exposed for the ingest workflow. */
  chunk(text: string) {
    return chunkText(text, this.deps.chunking);
  }

  /**
   * Adds text as one item per chunk (long text is split on sentences with overlap). Chunks of one
   * add share metadata.doc_id and carry chunk / chunks when there is more than one.
   */
  async add(
    vault: string,
    text: string,
    metadata?: Record<string, JsonValue>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<VaultItem[]> {
    checkVaultName(vault);
    if (typeof text !== 'string' || text.trim() === '') throw new VaultError(`text to add to vault ${vault} is empty`, 'empty_text');
    const meta = checkMetadata(vault, metadata);
    const chunks = this.chunk(text);
    const docId = this.newId();
    const items: ItemToPut[] = chunks.map((c, i) => ({
      id: chunks.length === 1 ? docId : stableItemId(`${docId}:${i}`),
      text: c.text,
      metadata: chunks.length === 1 ? meta : { ...meta, doc_id: docId, chunk: i, chunks: chunks.length },
    }));
    return this.putItemsInBatches(vault, items, onProgress);
  }

  /**
   * putItems in batches of 64, pipelined: the next batch is embedded (in the model's thread)
   * while this one is written to the store, so a long ingest is bound by the embedder alone.
   */
  async putItemsInBatches(vault: string, items: ItemToPut[], onProgress?: (done: number, total: number) => void): Promise<VaultItem[]> {
    checkVaultName(vault);
    const out: VaultItem[] = [];
    onProgress?.(0, items.length);
    if (items.length === 0) return out;
    await this.ensure();
    const prepare = (b: number) => {
      const p = this.recordsFor(vault, items.slice(b, b + ADD_BATCH));
      p.catch(() => undefined); // awaited below; a write failing first must not leave it unhandled
      return p;
    };
    let next = prepare(0);
    for (let b = 0; b < items.length; b += ADD_BATCH) {
      const records = await next;
      if (b + ADD_BATCH < items.length) next = prepare(b + ADD_BATCH);
      await this.deps.store.upsert(this.collection, records);
      out.push(...records.map((r) => itemFromPayload(vault, r.id, r.payload)));
      onProgress?.(out.length, items.length);
    }
    return out;
  }

  /** Adds several separate texts (no splitting across them), one embedding batch. */
  async addMany(vault: string, texts: NewItem[]): Promise<VaultItem[]> {
    checkVaultName(vault);
    const items = texts.map((t, i) => {
      if (typeof t.text !== 'string' || t.text.trim() === '') throw new VaultError(`text #${i} to add to vault ${vault} is empty`, 'empty_text');
      return { id: this.newId(), text: t.text, metadata: checkMetadata(vault, t.metadata) };
    });
    return this.putItems(vault, items);
  }

  /** Embeds and writes items with the ids given (an existing id is replaced, keeping its created). */
  async putItems(vault: string, items: ItemToPut[]): Promise<VaultItem[]> {
    checkVaultName(vault);
    if (items.length === 0) return [];
    await this.ensure();
    const records = await this.recordsFor(vault, items);
    await this.deps.store.upsert(this.collection, records);
    return records.map((r) => itemFromPayload(vault, r.id, r.payload));
  }

  /** The records to write for items: embedded, with `created` kept from existing items. */
  private async recordsFor(vault: string, items: ItemToPut[]): Promise<VectorRecord[]> {
    const tenant = vaultTenant(vault);
    // The store lookup runs while the model's thread embeds.
    const [found, vectors] = await Promise.all([this.deps.store.get(this.collection, tenant, items.map((i) => i.id)), this.deps.embedder.embed(items.map((i) => i.text))]);
    const existing = new Map(found.map((r) => [r.id, r.payload as ItemPayload]));
    const stamp = this.now().toISOString();
    return items.map((item, k) => {
      const created = item.created ?? existing.get(item.id)?.created ?? stamp;
      const updated = item.updated ?? stamp;
      return { id: item.id, tenant, vector: vectors[k]!, text: item.text, payload: itemPayload(this.deps.embedder, vault, item.text, item.metadata, created, updated) };
    });
  }

  async editText(vault: string, id: string, text: string): Promise<VaultItem> {
    if (typeof text !== 'string' || text.trim() === '') throw new VaultError(`new text for item ${id} in vault ${vault} is empty`, 'empty_text');
    const cur = await this.requireItem(vault, id);
    const [item] = await this.putItems(vault, [{ id, text, metadata: cur.metadata, created: cur.created }]);
    return item!;
  }

  /** Merges fields into the item's metadata; a field set to null is removed. The vector stays. */
  async editMetadata(vault: string, id: string, patch: Record<string, JsonValue>): Promise<VaultItem> {
    const changes = checkMetadata(vault, patch);
    await this.ensure();
    const tenant = vaultTenant(vault);
    const [rec] = await this.deps.store.get(this.collection, tenant, [id]);
    if (!rec) throw new VaultError(`vault ${vault} has no item ${id}`, 'item_not_found');
    const payload = rec.payload as ItemPayload;
    const metadata = { ...payload.metadata };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete metadata[k];
      else metadata[k] = v;
    }
    const next = { ...payload, metadata, updated: this.now().toISOString() };
    await this.deps.store.upsert(this.collection, [{ id, tenant, vector: rec.vector, text: payload.text, payload: next }]);
    return itemFromPayload(vault, id, next);
  }

  async deleteItems(vault: string, ids: string[]): Promise<{ deleted: string[]; missing: string[] }> {
    checkVaultName(vault);
    await this.ensure();
    const tenant = vaultTenant(vault);
    const found = new Set((await this.deps.store.get(this.collection, tenant, ids)).map((r) => r.id));
    const deleted = ids.filter((id) => found.has(id));
    await this.deps.store.delete(this.collection, tenant, deleted);
    return { deleted, missing: ids.filter((id) => !found.has(id)) };
  }

  /** Deletes every item and the settings of a vault. */
  async deleteVault(vault: string): Promise<{ deletedItems: number }> {
    checkVaultName(vault);
    await this.ensure();
    const n = await this.deps.store.count(this.collection, vaultTenant(vault));
    await this.deps.store.deleteTenant(this.collection, vaultTenant(vault));
    await this.deps.settings.delete(vault);
    return { deletedItems: n };
  }

  // ---- reading ------------------------------------------------------------------------------

  async getItems(vault: string, ids: string[]): Promise<{ items: VaultItem[]; missing: string[] }> {
    checkVaultName(vault);
    await this.ensure();
    const recs = await this.deps.store.get(this.collection, vaultTenant(vault), ids);
    const found = new Set(recs.map((r) => r.id));
    return { items: recs.map((r) => itemFromPayload(vault, r.id, r.payload)), missing: ids.filter((id) => !found.has(id)) };
  }

  private async requireItem(vault: string, id: string): Promise<VaultItem> {
    const { items } = await this.getItems(vault, [id]);
    if (!items[0]) throw new VaultError(`vault ${vault} has no item ${id}`, 'item_not_found');
    return items[0];
  }

  /** One page of items in a stable order; pass the returned cursor for the next page. */
  async listItems(vault: string, opts: { limit?: number; cursor?: string; filter?: Record<string, JsonValue> } = {}) {
    checkVaultName(vault);
    await this.ensure();
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new VaultError(`limit must be an integer from 1 to 10000, got ${opts.limit}`, 'bad_request');
    const page = await this.deps.store.scroll(this.collection, vaultTenant(vault), { limit, cursor: opts.cursor, filter: metadataFilter(opts.filter) });
    return { items: page.records.map((r) => itemFromPayload(vault, r.id, r.payload)), cursor: page.cursor };
  }

  async *allItems(vault: string): AsyncGenerator<VaultItem> {
    let cursor: string | undefined;
    do {
      const page = await this.listItems(vault, { limit: PAGE, cursor });
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }

  async count(vault: string, filter?: Record<string, JsonValue>): Promise<number> {
    checkVaultName(vault);
    await this.ensure();
    return this.deps.store.count(this.collection, vaultTenant(vault), metadataFilter(filter));
  }

  /** Vaults that hold items or settings. */
  async listVaults(): Promise<{ name: string; items: number }[]> {
    await this.ensure();
    const withItems = (await this.deps.store.listTenants(this.collection)).flatMap((t) => vaultOfTenant(t) ?? []);
    const names = [...new Set([...withItems, ...(await this.deps.settings.list())])].sort();
    return Promise.all(names.map(async (name) => ({ name, items: await this.deps.store.count(this.collection, vaultTenant(name)) })));
  }

  // ---- searching ----------------------------------------------------------------------------

  private async embedQuery(text: string): Promise<Float32Array> {
    if (typeof text !== 'string' || text.trim() === '') throw new VaultError('search text is empty', 'bad_request');
    const [v] = await this.deps.embedder.embed([text], 'query');
    return v!;
  }

  /** get_similar: the n items of one vault closest in meaning to text, with scores. */
  async getSimilar(vault: string, text: string, opts: SearchOptions = {}): Promise<ScoredVaultItem[]> {
    checkVaultName(vault);
    const n = checkN(opts.n);
    return inSpan('vault.search', { 'par.vault': vault, 'par.vault.n': n, 'par.vault.hybrid': opts.hybrid !== false }, async (span) => {
      await this.ensure();
      const vector = await this.embedQuery(text);
      const keywords = opts.hybrid === false ? {} : { text };
      const rerank = this.rerankStage(opts);
      const hits = await this.deps.store.query(this.collection, { tenants: [vaultTenant(vault)], vector, limit: rerank?.fetchLimit(n) ?? n, filter: metadataFilter(opts.filter), ...keywords });
      span.setAttribute('par.vault.hits', Math.min(n, hits.length));
      return this.inRerankOrder(rerank, text, hits.map((h) => itemFromHit(h)), n);
    });
  }

  private rerankStage(opts: SearchOptions): RerankStage | undefined {
    return opts.rerank === false ? undefined : this.deps.rerank;
  }

  /** The first n items, in the rerank stage's order when there is one. */
  private async inRerankOrder(stage: RerankStage | undefined, text: string, items: ScoredVaultItem[], n: number): Promise<ScoredVaultItem[]> {
    if (!stage || items.length === 0) return items.slice(0, n);
    return inSpan('vault.rerank', { 'par.rerank.model': stage.reranker.model, 'par.rerank.candidates': Math.min(items.length, stage.candidates) }, () => stage.topN(text, items, n, (item) => item.text));
  }

  /**
   * get_similar_from_vaults: a list of vaults gives the global top n; a map of per-vault
   * minimums (null or 0 = fill only) takes each minimum first, then fills by score.
   */
  async getSimilarFromVaults(
    text: string,
    vaults: string[] | Record<string, number | null>,
    opts: SearchOptions = {},
  ): Promise<{ items: ScoredVaultItem[]; shortfalls: Shortfall[] }> {
    const n = checkN(opts.n);
    const filter = metadataFilter(opts.filter);
    const names = Array.isArray(vaults) ? vaults : Object.keys(vaults ?? {});
    if (names.length === 0) throw new VaultError('no vaults to search: name at least one', 'bad_request');
    names.forEach(checkVaultName);
    const mins = Array.isArray(vaults) ? undefined : parseMinimums(vaults, n);
    return inSpan('vault.search', { 'par.vault': names, 'par.vault.n': n }, async (span) => {
      await this.ensure();
      const vector = await this.embedQuery(text);
      const tenants = names.map(vaultTenant);
      const keywords = opts.hybrid === false ? {} : { text };
      const rerank = this.rerankStage(opts);
      if (!mins) {
        const hits = await this.deps.store.query(this.collection, { tenants, vector, limit: rerank?.fetchLimit(n) ?? n, filter, ...keywords });
        span.setAttribute('par.vault.hits', Math.min(n, hits.length));
        return { items: await this.inRerankOrder(rerank, text, hits.map((h) => itemFromHit(h)), n), shortfalls: [] };
      }
      const perVault = new Map<string, ScoredVaultItem[]>();
      let reserved = 0;
      await Promise.all(
        [...mins].map(async ([vault, min]) => {
          if (min === 0) return;
          reserved += min;
          const hits = await this.deps.store.query(this.collection, { tenants: [vaultTenant(vault)], vector, limit: min, filter, ...keywords });
          perVault.set(vault, hits.map((h) => itemFromHit(h)));
        }),
      );
      // Enough extra candidates that the fill still has n after skipping the ones already taken.
      const global = await this.deps.store.query(this.collection, { tenants, vector, limit: n + reserved, filter, ...keywords });
      const combined = combineWithMinimums(mins, n, perVault, global.map((h) => itemFromHit(h)));
      span.setAttributes({ 'par.vault.hits': combined.items.length, 'par.vault.shortfalls': combined.shortfalls.length });
      // The minimums choose which items; the rerank stage only orders them.
      return { ...combined, items: await this.inRerankOrder(rerank, text, combined.items, n) };
    });
  }

  /** The text a search should embed: the message, or with smart history search its rewrite. */
  async searchQuery(message: string, history: ModelMessage[] | undefined, opts: { smart?: boolean; model?: string } = {}): Promise<string> {
    if (!opts.smart || !history || history.length === 0) return message;
    const rewriter = opts.model ? this.deps.queryRewriterFor?.(opts.model) : undefined;
    if (rewriter) {
      const rewritten = (await rewriter(message, history)).trim();
      return rewritten || message;
    }
    return offlineSearchQuery(message, history);
  }

  // ---- settings, export, import -------------------------------------------------------------

  async getSettings(vault: string): Promise<VaultSettings> {
    return this.deps.settings.get(checkVaultName(vault));
  }

  async updateSettings(vault: string, patch: { personality?: string | null; promptTemplate?: string | null }): Promise<VaultSettings> {
    checkVaultName(vault);
    for (const [field, value] of Object.entries(patch)) {
      if (value !== undefined && value !== null && typeof value !== 'string') throw new VaultError(`${field} for vault ${vault} must be text or null`, 'bad_request');
    }
    if (typeof patch.promptTemplate === 'string' && !patch.promptTemplate.includes('{content}')) {
      throw new VaultError(`promptTemplate for vault ${vault} must contain the {content} placeholder (and usually {context})`, 'bad_request');
    }
    return this.deps.settings.update(vault, patch);
  }

  exportVault(vault: string): Promise<VaultExport> {
    return exportVault(this.transfer, vault);
  }

  /** Imports an export (items keep their ids and dates, and are re-embedded), into `vault` or its own name. */
  importVault(data: unknown, vault?: string): Promise<{ vault: string; imported: number }> {
    return importVault(this.transfer, data, vault);
  }

  // ---- key-value storage --------------------------------------------------------------------

  get kv(): KeyValueStore {
    return this.deps.kv;
  }

  async close(): Promise<void> {
    await Promise.all([this.deps.store.close(), this.deps.settings.close(), this.deps.kv.close(), this.deps.embedder.close?.()]);
  }
}
