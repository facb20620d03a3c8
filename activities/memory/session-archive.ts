import path from 'node:path';
import { loadConfig } from '../../workers/config';
import type { ModelMessage } from '../contracts';
import { resolveMemoryConfig } from './config';
import { ContextStore } from './context-store';
import { openMemoryDatabase } from './sqlite';

/** Where a long session's older messages are read back from (the context store's session history). */
export interface SessionArchive {
  history(tenant: string, sessionId: string): ModelMessage[] | Promise<ModelMessage[]>;
}

/**
 * The session archive of a data folder, opened without the embedding model (reading a
 * transcript needs only SQLite). The worker writes it as sessions continue as new.
 */
export function openSessionArchive(dataDir: string = loadConfig().dataDir): SessionArchive & { close(): void } {
  const db = openMemoryDatabase(path.join(dataDir, 'memory.sqlite'));
  const store = new ContextStore(db, resolveMemoryConfig().context);
  return { history: (tenant, sessionId) => store.history(tenant, sessionId), close: () => db.close() };
}
