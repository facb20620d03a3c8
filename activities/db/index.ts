/**
 * The relational stores' database: open a store group's database (SQLite file or PostgreSQL),
 * with its schema migrated or checked. Stores receive a StoreDatabase and write one
 * implementation against Kysely for both dialects.
 */
import type { Kysely } from 'kysely';
import { ensureSchema } from './migrate';
import { openDatabase, type DatabaseHandle } from './open';
import type { GroupTables } from './schema';
import { databaseTarget, STORE_GROUPS, type DatabaseTarget, type StoreGroup } from './target';

export { DatabaseError, isUniqueViolation } from './errors';
export { isPostgres } from './open';
export { databaseTarget, describeTarget, redactUrl, STORE_GROUPS, type DatabaseTarget, type StoreGroup } from './target';
export type { FlowTables, GroupTables, KeyTables, MemoryTables, VaultTables } from './schema';

export interface StoreDatabase<Tables> {
  db: Kysely<Tables>;
  dialect: 'sqlite' | 'postgres';
  where: string;
  release(): Promise<void>;
}

// Per open handle (a database reopened after its last release is checked again).
const ensured = new WeakMap<object, Map<StoreGroup, Promise<void>>>();

/** Opens the group's database (from the environment unless a target is given), its schema ready. */
export async function openStoreDatabase<G extends StoreGroup>(
  group: G,
  opts: { target?: DatabaseTarget; env?: NodeJS.ProcessEnv } = {},
): Promise<StoreDatabase<GroupTables[G]>> {
  const env = opts.env ?? process.env;
  const handle = await openDatabase(opts.target ?? databaseTarget(group, env), env);
  try {
    await schemaReady(handle, group, env);
  } catch (err) {
    await handle.release();
    throw err;
  }
  return handle as DatabaseHandle & StoreDatabase<GroupTables[G]>;
}

function schemaReady(handle: DatabaseHandle, group: StoreGroup, env: NodeJS.ProcessEnv): Promise<void> {
  let groups = ensured.get(handle.db);
  if (!groups) ensured.set(handle.db, (groups = new Map()));
  let done = groups.get(group);
  if (!done) {
    done = ensureSchema(handle, group, env);
    groups.set(group, done);
    done.catch(() => groups.delete(group));
  }
  return done;
}

/**
 * What the worker and the API do before serving: open every store group's database once, so a
 * wrong or unreachable database, or a schema too new or too old, stops the process at start.
 */
export async function prepareDatabases(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const where: string[] = [];
  for (const group of STORE_GROUPS) {
    const store = await openStoreDatabase(group, { env });
    where.push(store.where);
    await store.release();
  }
  return [...new Set(where)];
}
