import type { ModelMessage, ModelToolCall } from '../contracts';
import type { MemoryConfig } from './config';
import type { ContextAppendRequest, ContextAppendResult, ContextLoadRequest, ContextLoadResult } from './contracts';
import { windowMessages } from './context-window';
import { MemoryInputError, requireText } from './errors';
import { nowIso, type MemoryDb } from './memory-db';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The context manager's stored part: each session's full message history, kept forever. */
export class ContextStore {
  constructor(
    private readonly db: MemoryDb,
    private readonly config: MemoryConfig['context'],
  ) {}

  async append(req: ContextAppendRequest): Promise<ContextAppendResult> {
    const tenant = requireText('tenant', req.tenant);
    const sessionId = requireText('sessionId', req.sessionId);
    if (!Array.isArray(req.messages)) throw new MemoryInputError('messages', 'must be a list of messages');
    req.messages.forEach((m, i) => {
      if (!m || !ROLES.has(m.role)) throw new MemoryInputError(`messages[${i}].role`, `must be one of system, user, assistant, tool; got ${JSON.stringify(m?.role)}`);
      if (typeof m.content !== 'string') throw new MemoryInputError(`messages[${i}].content`, 'must be a string');
    });
    if (req.startIndex !== undefined && (!Number.isInteger(req.startIndex) || req.startIndex < 0)) throw new MemoryInputError('startIndex', 'must be a non-negative integer');
    return this.db.transaction().execute(async (trx) => {
      const start = req.startIndex ?? (await this.count(trx, tenant, sessionId));
      const now = nowIso();
      if (req.messages.length) {
        await trx
          .insertInto('session_messages')
          .values(
            req.messages.map((m, i) => ({
              tenant,
              session_id: sessionId,
              seq: start + i,
              role: m.role,
              content: m.content,
              tool_call_id: m.toolCallId ?? null,
              tool_calls: m.toolCalls ? JSON.stringify(m.toolCalls) : null,
              created: now,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['tenant', 'session_id', 'seq']).doUpdateSet((eb) => ({
              role: eb.ref('excluded.role'),
              content: eb.ref('excluded.content'),
              tool_call_id: eb.ref('excluded.tool_call_id'),
              tool_calls: eb.ref('excluded.tool_calls'),
            })),
          )
          .execute();
      }
      return { total: await this.count(trx, tenant, sessionId) };
    });
  }

  /** The window sent to the model (maxHistory recent messages plus system messages) and the stored total. */
  async load(req: ContextLoadRequest): Promise<ContextLoadResult> {
    const tenant = requireText('tenant', req.tenant);
    const sessionId = requireText('sessionId', req.sessionId);
    const maxHistory = req.maxHistory ?? this.config.defaultMaxHistory;
    if (!Number.isInteger(maxHistory) || maxHistory < 0) throw new MemoryInputError('maxHistory', 'must be a non-negative integer');
    return { messages: windowMessages(await this.history(tenant, sessionId), maxHistory), total: await this.count(this.db, tenant, sessionId) };
  }

  /** The full stored history. */
  async history(tenant: string, sessionId: string): Promise<ModelMessage[]> {
    const rows = await this.db
      .selectFrom('session_messages')
      .select(['role', 'content', 'tool_call_id', 'tool_calls'])
      .where('tenant', '=', tenant)
      .where('session_id', '=', sessionId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      role: r.role as ModelMessage['role'],
      content: r.content,
      ...(r.tool_call_id ? { toolCallId: r.tool_call_id } : {}),
      ...(r.tool_calls ? { toolCalls: JSON.parse(r.tool_calls) as ModelToolCall[] } : {}),
    }));
  }

  private async count(q: MemoryDb, tenant: string, sessionId: string): Promise<number> {
    const row = await q
      .selectFrom('session_messages')
      .select((eb) => eb.fn.max('seq').as('last'))
      .where('tenant', '=', tenant)
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return row?.last == null ? 0 : Number(row.last) + 1;
  }
}
