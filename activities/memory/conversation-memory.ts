import type { MemoryConfig } from './config';
import type { ConversationHit, ConversationIndexRequest, ConversationIndexResult, ConversationSearchRequest, ConversationSearchResult } from './contracts';
import { chunkText } from './chunking';
import { MemoryInputError, optionalPositiveInt, optionalSimilarity, requireText } from './errors';
import { nowIso, type MemoryDatabase } from './sqlite';
import { derivedUuid } from '../vectors/derived-uuid';
import type { VectorSpace } from './vector-space';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversation_chunks (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  message_index INTEGER NOT NULL,
  chunk_index INTEGER NOT NULL,
  role TEXT NOT NULL,
  text TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX IF NOT EXISTS conversation_chunks_session ON conversation_chunks (tenant, session_id, message_index);
`;

/**
 * The conversation memory engine: past session messages, chunked and embedded, searchable by
 * meaning. Chunk ids derive from (tenant, session, message, chunk, text), so indexing a session
 * again embeds only what is new.
 */
export class ConversationMemory {
  constructor(
    private readonly db: MemoryDatabase,
    private readonly vectors: VectorSpace,
    private readonly config: MemoryConfig['conversation'],
  ) {
    db.exec(SCHEMA);
  }

  async index(req: ConversationIndexRequest, batchSize = 64): Promise<ConversationIndexResult> {
    const tenant = requireText('tenant', req.tenant);
    const sessionId = requireText('sessionId', req.sessionId);
    if (!Array.isArray(req.messages)) throw new MemoryInputError('messages', 'must be a list of {role, content}');
    const chunks: { id: string; messageIndex: number; chunkIndex: number; role: string; text: string }[] = [];
    let skippedMessages = 0;
    req.messages.forEach((m, pos) => {
      if (!m || typeof m.content !== 'string' || typeof m.role !== 'string') throw new MemoryInputError(`messages[${pos}]`, 'must have a string role and content');
      const messageIndex = m.index ?? pos;
      if (!Number.isInteger(messageIndex) || messageIndex < 0) throw new MemoryInputError(`messages[${pos}].index`, 'must be a non-negative integer');
      const text = m.content.trim();
      if (!this.config.roles.includes(m.role) || text.length < this.config.minMessageChars) {
        skippedMessages++;
        return;
      }
      chunkText(text, this.config.chunkChars, this.config.chunkOverlap).forEach((chunk, chunkIndex) => {
        chunks.push({ id: derivedUuid([tenant, sessionId, String(messageIndex), String(chunkIndex), chunk]), messageIndex, chunkIndex, role: m.role, text: chunk });
      });
    });
    const known = new Set<string>();
    const has = this.db.prepare('SELECT 1 FROM conversation_chunks WHERE tenant = ? AND id = ?');
    for (const c of chunks) if (has.get(tenant, c.id)) known.add(c.id);
    const fresh = chunks.filter((c) => !known.has(c.id));
    if (fresh.length) await this.vectors.ensure();
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO conversation_chunks (tenant, id, session_id, message_index, chunk_index, role, text, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (let i = 0; i < fresh.length; i += batchSize) {
      const batch = fresh.slice(i, i + batchSize);
      const vectors = await this.vectors.embedder.embed(batch.map((c) => c.text));
      await this.vectors.store.upsert(
        this.vectors.collection,
        batch.map((c, j) => ({
          id: c.id,
          tenant,
          vector: vectors[j],
          text: c.text,
          payload: { sessionId, messageIndex: c.messageIndex, chunkIndex: c.chunkIndex, role: c.role, text: c.text },
        })),
      );
      // Recorded after the vectors, so a crash in between re-embeds rather than loses the chunk.
      const now = nowIso();
      this.db.transaction(() => batch.forEach((c) => insert.run(tenant, c.id, sessionId, c.messageIndex, c.chunkIndex, c.role, c.text, now)))();
    }
    return { indexedChunks: fresh.length, skippedMessages };
  }

  /** The best chunk of each matching message, most similar first. */
  async search(req: ConversationSearchRequest): Promise<ConversationSearchResult> {
    const tenant = requireText('tenant', req.tenant);
    const query = requireText('query', req.query);
    const limit = Math.min(optionalPositiveInt('limit', req.limit) ?? this.config.defaultLimit, this.config.maxLimit);
    const minSimilarity = optionalSimilarity('minSimilarity', req.minSimilarity) ?? this.config.minSimilarity;
    const sessionId = req.sessionId === undefined ? undefined : requireText('sessionId', req.sessionId);
    await this.vectors.ensure();
    const vector = await this.vectors.embedOne(query);
    // Over-fetch: several chunks of one message, or of the excluded session, may rank high.
    const hits = await this.vectors.store.query(this.vectors.collection, {
      tenants: [tenant],
      vector,
      limit: limit * 4 + 8,
      ...(req.hybrid === false ? {} : { text: query }),
      ...(sessionId ? { filter: { sessionId } } : {}),
    });
    const seen = new Set<string>();
    const out: ConversationHit[] = [];
    for (const h of hits) {
      const p = h.payload;
      if (h.score < minSimilarity || (req.excludeSessionId && p.sessionId === req.excludeSessionId)) continue;
      const key = `${p.sessionId}\u0000${p.messageIndex}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ sessionId: String(p.sessionId), messageIndex: Number(p.messageIndex), chunkIndex: Number(p.chunkIndex), role: String(p.role), text: String(p.text), similarity: h.score });
      if (out.length >= limit) break;
    }
    return { hits: out };
  }

  /** Removes a session's chunks (e.g. when the user deletes the conversation). */
  async forgetSession(tenant: string, sessionId: string): Promise<number> {
    const ids = (this.db.prepare('SELECT id FROM conversation_chunks WHERE tenant = ? AND session_id = ?').all(tenant, sessionId) as { id: string }[]).map((r) => r.id);
    if (ids.length) {
      await this.vectors.ensure();
      await this.vectors.store.delete(this.vectors.collection, tenant, ids);
      this.db.prepare('DELETE FROM conversation_chunks WHERE tenant = ? AND session_id = ?').run(tenant, sessionId);
    }
    return ids.length;
  }
}
