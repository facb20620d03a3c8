import type { ModelMessage, ModelToolCall } from '../contracts';
import type { MemoryConfig } from './config';
import type { ContextAppendRequest, ContextAppendResult, ContextLoadRequest, ContextLoadResult } from './contracts';
import { windowMessages } from './context-window';
import { MemoryInputError, requireText } from './errors';
import { nowIso, type MemoryDatabase } from './sqlite';

interface MessageRow {
  seq: number;
  role: ModelMessage['role'];
  content: string;
  tool_call_id: string | null;
  tool_calls: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS session_messages (
  tenant TEXT NOT NULL,
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  tool_call_id TEXT,
  tool_calls TEXT,
  created TEXT NOT NULL,
  PRIMARY KEY (tenant, session_id, seq)
);
`;

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The context manager's stored part: each session's full message history, kept forever. */
export class ContextStore {
  constructor(
    private readonly db: MemoryDatabase,
    private readonly config: MemoryConfig['context'],
  ) {
    db.exec(SCHEMA);
  }

  append(req: ContextAppendRequest): ContextAppendResult {
    const tenant = requireText('tenant', req.tenant);
    const sessionId = requireText('sessionId', req.sessionId);
    if (!Array.isArray(req.messages)) throw new MemoryInputError('messages', 'must be a list of messages');
    req.messages.forEach((m, i) => {
      if (!m || !ROLES.has(m.role)) throw new MemoryInputError(`messages[${i}].role`, `must be one of system, user, assistant, tool; got ${JSON.stringify(m?.role)}`);
      if (typeof m.content !== 'string') throw new MemoryInputError(`messages[${i}].content`, 'must be a string');
    });
    if (req.startIndex !== undefined && (!Number.isInteger(req.startIndex) || req.startIndex < 0)) throw new MemoryInputError('startIndex', 'must be a non-negative integer');
    const write = this.db.transaction(() => {
      const start = req.startIndex ?? this.count(tenant, sessionId);
      const upsert = this.db.prepare(
        `INSERT INTO session_messages (tenant, session_id, seq, role, content, tool_call_id, tool_calls, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, session_id, seq) DO UPDATE SET role = excluded.role, content = excluded.content, tool_call_id = excluded.tool_call_id, tool_calls = excluded.tool_calls`,
      );
      const now = nowIso();
      req.messages.forEach((m, i) =>
        upsert.run(tenant, sessionId, start + i, m.role, m.content, m.toolCallId ?? null, m.toolCalls ? JSON.stringify(m.toolCalls) : null, now),
      );
      return this.count(tenant, sessionId);
    });
    return { total: write() };
  }

  /** The window sent to the model (maxHistory recent messages plus system messages) and the stored total. */
  load(req: ContextLoadRequest): ContextLoadResult {
    const tenant = requireText('tenant', req.tenant);
    const sessionId = requireText('sessionId', req.sessionId);
    const maxHistory = req.maxHistory ?? this.config.defaultMaxHistory;
    if (!Number.isInteger(maxHistory) || maxHistory < 0) throw new MemoryInputError('maxHistory', 'must be a non-negative integer');
    return { messages: windowMessages(this.history(tenant, sessionId), maxHistory), total: this.count(tenant, sessionId) };
  }

  /** The full stored history. */
  history(tenant: string, sessionId: string): ModelMessage[] {
    const rows = this.db.prepare('SELECT seq, role, content, tool_call_id, tool_calls FROM session_messages WHERE tenant = ? AND session_id = ? ORDER BY seq').all(tenant, sessionId) as MessageRow[];
    return rows.map((r) => ({
      role: r.role,
      content: r.content,
      ...(r.tool_call_id ? { toolCallId: r.tool_call_id } : {}),
      ...(r.tool_calls ? { toolCalls: JSON.parse(r.tool_calls) as ModelToolCall[] } : {}),
    }));
  }

  private count(tenant: string, sessionId: string): number {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM session_messages WHERE tenant = ? AND session_id = ?').get(tenant, sessionId) as { n: number };
    return row.n;
  }
}
