import { databaseTarget, openStoreDatabase } from '../db';
import { loadConfig } from '../../workers/config';
import type { ModelMessage } from '../contracts';
import { resolveMemoryConfig } from './config';
import { ContextStore } from './context-store';

/** Where a long session's older messages are read back from (the context store's session history). */
export interface SessionArchive {
  history(tenant: string, sessionId: string): ModelMessage[] | Promise<ModelMessage[]>;
}

/**
 * The session archive (the memory database: PostgreSQL with PAR_DATABASE_URL, else the data
 * folder's memory.sqlite), opened without the embedding model: reading a transcript needs only
 * the database. The worker writes it as sessions continue as new.
 */
export async function openSessionArchive(dataDir: string = loadConfig().dataDir): Promise<SessionArchive & { close(): Promise<void> }> {
  const db = await openStoreDatabase('memory', { target: databaseTarget('memory', { ...process.env, PAR_DATA_DIR: dataDir }) });
  const store = new ContextStore(db.db, resolveMemoryConfig().context);
  return { history: (tenant, sessionId) => store.history(tenant, sessionId), close: () => db.release() };
}
