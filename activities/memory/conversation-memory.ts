import type { MemoryConfig } from './config';
import type { ConversationHit, ConversationIndexRequest, ConversationIndexResult, ConversationSearchRequest, ConversationSearchResult } from './contracts';
import { chunkText } from './chunking';
import { collectionIndexing, textWithNeighbours } from './conversation-indexing';
import { fuseMessages, type RankedEntry } from './conversation-ranking';
import { onceUntilFailure } from '../common/once-until-failure';
import { MemoryInputError, optionalPositiveInt, optionalSimilarity, requireText } from './errors';
import { nowIso, type MemoryDb } from './memory-db';
import { derivedUuid } from '../vectors/derived-uuid';
import { HYBRID_CANDIDATES } from '../vectors/lexical-index';
import type { VectorSpace } from './vector-space';
import type { VectorRecord } from '../vectors/port';
import type { RerankStage } from '../rerank/stage';

/**
 * The conversation memory engine: past session messages, chunked and embedded, searchable by
 * meaning. Chunk ids derive from (tenant, session, message, chunk, text), so indexing a session
 * again embeds only what is new.
 */
export class ConversationMemory {
  constructor(
    private readonly db: MemoryDb,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['conversation'],
    /** Rescores the best messages with a cross-encoder (PAR_RERANK_MODEL); absent: no rerank stage. */
    private readonly rerank?: RerankStage,
  ) {}

  /** This collection's indexing mode (recorded on first use; conversation-indexing.ts). */
  readonly indexing = onceUntilFailure(() => collectionIndexing(this.db, this.vectors.collection, this.config));

  async index(req: ConversationIndexRequest, batchSize = 64): Promise<ConversationIndexResult> {
    const tenant = requireText('tenant', req.tenant);
    const sessionId = requireText('sessionId', req.sessionId);
    if (!Array.isArray(req.messages)) throw new MemoryInputError('messages', 'must be a list of {role, content}');
    const mode = await this.indexing();
    const chunks: Chunk[] = [];
    const indexed = new Set<number>();
    let skippedMessages = 0;
    // Every message of the request, by its position in the session: the neighbours of a message
    // are the messages at the positions next to it, whatever their role.
    const byIndex = new Map<number, string>();
    const positions = req.messages.map((m, pos) => {
      if (!m || typeof m.content !== 'string' || typeof m.role !== 'string') throw new MemoryInputError(`messages[${pos}]`, 'must have a string role and content');
      const messageIndex = m.index ?? pos;
      if (!Number.isInteger(messageIndex) || messageIndex < 0) throw new MemoryInputError(`messages[${pos}].index`, 'must be a non-negative integer');
      byIndex.set(messageIndex, m.content.trim());
      return messageIndex;
    });
    const around = (at: number, step: number): string[] => {
      const out: string[] = [];
      for (let k = 1; k <= mode.neighbours && byIndex.has(at + k * step); k++) out.push(byIndex.get(at + k * step)!);
      return step < 0 ? out.reverse() : out;
    };
    req.messages.forEach((m, pos) => {
      const messageIndex = positions[pos]!;
      const text = m.content.trim();
      if (!this.config.roles.includes(m.role) || text.length < this.config.minMessageChars) {
        skippedMessages++;
        return;
      }
      indexed.add(messageIndex);
      const before = around(messageIndex, -1);
      const after = around(messageIndex, 1);
      chunkText(text, this.config.chunkChars, this.config.chunkOverlap).forEach((chunk, chunkIndex) => {
        const embedded = textWithNeighbours(chunk, before, after, mode);
        // The single-message id is the one chunks had before modes existed: re-indexing an old collection embeds nothing.
        const key = [tenant, sessionId, String(messageIndex), String(chunkIndex), chunk, ...(embedded === chunk ? [] : [embedded])];
        chunks.push({ id: derivedUuid(key), messageIndex, chunkIndex, role: m.role, text: chunk, embedded });
        // The message alone keeps the single-message id, as in a collection indexed without neighbours.
        if (mode.alsoAlone && embedded !== chunk) chunks.push({ id: derivedUuid(key.slice(0, 5)), messageIndex, chunkIndex, role: m.role, text: chunk, embedded: chunk });
      });
    });
    const known = new Map<string, number>();
    const indexes = [...indexed];
    for (let i = 0; i < indexes.length; i += 500) {
      const rows = await this.db
        .selectFrom('conversation_chunks')
        .select(['id', 'message_index'])
        .where('tenant', '=', tenant)
        .where('session_id', '=', sessionId)
        .where('message_index', 'in', indexes.slice(i, i + 500))
        .execute();
      for (const r of rows) known.set(r.id, r.message_index);
    }
    const wanted = new Set(chunks.map((c) => c.id));
    const fresh = chunks.filter((c) => !known.has(c.id));
    if (fresh.length) await this.vectors.ensure();
    for (let i = 0; i < fresh.length; i += batchSize) {
      const batch = fresh.slice(i, i + batchSize);
      const vectors = await this.vectors.embedder.embed(batch.map((c) => c.embedded));
      await this.vectors.store.upsert(
        this.vectors.collection,
        batch.map((c, j) => chunkRecord(tenant, sessionId, c, vectors[j]!)),
      );
      // Recorded after the vectors, so a crash in between re-embeds rather than loses the chunk.
      const now = nowIso();
      await this.db
        .insertInto('conversation_chunks')
        .values(batch.map((c) => ({ tenant, id: c.id, session_id: sessionId, message_index: c.messageIndex, chunk_index: c.chunkIndex, role: c.role, text: c.text, created: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    // Chunks of these messages that the new ones replace (the message was edited, or a neighbour
    // arrived since it was indexed), removed after their replacements are stored.
    const stale = [...known.keys()].filter((id) => !wanted.has(id));
    for (let i = 0; i < stale.length; i += 500) {
      const ids = stale.slice(i, i + 500);
      await this.vectors.ensure();
      await this.vectors.store.delete(this.vectors.collection, tenant, ids);
      await this.db.deleteFrom('conversation_chunks').where('tenant', '=', tenant).where('id', 'in', ids).execute();
    }
    return { indexedChunks: fresh.length, skippedMessages, ...(stale.length ? { replacedChunks: stale.length } : {}) };
  }

  /**
   * The best chunk of each matching message, best first. A collection that indexes each message
   * alone and with its neighbours ranks messages by fusing the four rankings (conversation-ranking.ts);
   * others take the store's fused order.
   */
  async search(req: ConversationSearchRequest): Promise<ConversationSearchResult> {
    const tenant = requireText('tenant', req.tenant);
    const query = requireText('query', req.query);
    const limit = Math.min(optionalPositiveInt('limit', req.limit) ?? this.config.defaultLimit, this.config.maxLimit);
    const minSimilarity = optionalSimilarity('minSimilarity', req.minSimilarity) ?? this.config.minSimilarity;
    const sessionId = req.sessionId === undefined ? undefined : requireText('sessionId', req.sessionId);
    const hybrid = req.hybrid !== false;
    const byMessage = hybrid && (await this.indexing()).alsoAlone === true;
    await this.vectors.ensure();
    const vector = await this.vectors.embedQuery(query);
    // Over-fetch: several chunks of one message, or of the excluded session, may rank high; fusing
    // by message takes every candidate of both rankings.
    const hits = await this.vectors.store.query(this.vectors.collection, {
      tenants: [tenant],
      vector,
      limit: byMessage ? 2 * HYBRID_CANDIDATES : limit * 4 + 8,
      ...(hybrid ? { text: query } : {}),
      ...(sessionId ? { filter: { sessionId } } : {}),
    });
    // Each message once, by its first hit in the store's order; its similarity is its entries' best.
    const messages = new Map<string, { hit: ConversationHit; entries: RankedEntry[] }>();
    for (const h of hits) {
      const p = h.payload;
      if (req.excludeSessionId && p.sessionId === req.excludeSessionId) continue;
      const key = messageKey(String(p.sessionId), Number(p.messageIndex));
      const similarity = this.vectors.queryScale.toReference(h.score);
      let m = messages.get(key);
      if (!m) {
        const hit = { sessionId: String(p.sessionId), messageIndex: Number(p.messageIndex), chunkIndex: Number(p.chunkIndex), role: String(p.role), text: String(p.text), similarity };
        messages.set(key, (m = { hit, entries: [] }));
      }
      m.hit.similarity = Math.max(m.hit.similarity, similarity);
      // The message alone has the id a chunk indexed without neighbours has (index() above).
      const alone = h.id === derivedUuid([tenant, String(p.sessionId), String(p.messageIndex), String(p.chunkIndex), String(p.text)]);
      m.entries.push({ message: key, alone, ranks: h.ranks ?? {} });
    }
    const order = byMessage
      ? fuseMessages(
          [...messages.values()].flatMap((m) => m.entries),
          this.config.fusion,
          (key) => {
            const { sessionId: s, messageIndex: i } = messages.get(key)!.hit;
            return Array.from({ length: this.config.fusion.neighbourReach }, (_, d) => [messageKey(s, i - d - 1), messageKey(s, i + d + 1)]).flat();
          },
        ).map(([key]) => key)
      : [...messages.keys()];
    const out = order.map((key) => messages.get(key)!.hit).filter((h) => h.similarity >= minSimilarity);
    const rerank = req.rerank === false ? undefined : this.rerank;
    return { hits: rerank ? await rerank.topN(query, out, limit, (h) => h.text) : out.slice(0, limit) };
  }

  /**
   * Re-embeds every indexed chunk from the database, each message alone (after a change of
   * embedding model, for vectors stored before they kept their text: those collections indexed
   * single messages). Returns how many chunks were written.
   */
  async reindex(batchSize = 64): Promise<number> {
    const rows = await this.db.selectFrom('conversation_chunks').selectAll().execute();
    return this.vectors.reembedRows(
      rows,
      (r) => [r.text],
      (r, [v]) => [chunkRecord(r.tenant, r.session_id, { id: r.id, messageIndex: r.message_index, chunkIndex: r.chunk_index, role: r.role, text: r.text, embedded: r.text }, v!)],
      batchSize,
    );
  }

  /** Removes a session's chunks (e.g. when the user deletes the conversation). */
  async forgetSession(tenant: string, sessionId: string): Promise<number> {
    const ids = (await this.db.selectFrom('conversation_chunks').select('id').where('tenant', '=', tenant).where('session_id', '=', sessionId).execute()).map((r) => r.id);
    if (ids.length) {
      await this.vectors.ensure();
      await this.vectors.store.delete(this.vectors.collection, tenant, ids);
      await this.db.deleteFrom('conversation_chunks').where('tenant', '=', tenant).where('session_id', '=', sessionId).execute();
    }
    return ids.length;
  }
}

/** A message's key in a search: its session and position. */
function messageKey(sessionId: string, messageIndex: number): string {
  return `${sessionId}\u0000${messageIndex}`;
}

interface Chunk {
  id: string;
  messageIndex: number;
  chunkIndex: number;
  role: string;
  /** The message's own text (what a hit returns). */
  text: string;
  /** What was embedded and keyword-indexed: the text, with its neighbours or alone. */
  embedded: string;
}

/** A chunk's vector record: keyed by chunk id, searched by what was embedded, returning the message. */
function chunkRecord(tenant: string, sessionId: string, c: Chunk, vector: Float32Array): VectorRecord {
  return { id: c.id, tenant, vector, text: c.embedded, payload: { sessionId, messageIndex: c.messageIndex, chunkIndex: c.chunkIndex, role: c.role, text: c.text } };
}
