/**
 * Versioned schema migrations (Kysely's Migrator), one history per store group: in SQLite each
 * group's file has its own, in PostgreSQL each group has its own table (par_migrations_<group>).
 * Processes migrate at start when PAR_DATABASE_AUTO_MIGRATE allows (the default) and refuse a
 * database whose schema is newer than the code.
 */
import { Migrator, sql, type Migration } from 'kysely';
import { DatabaseError } from './errors';
import { flowMigrations } from './migrations/flows';
import { keyMigrations } from './migrations/keys';
import { memoryMigrations } from './migrations/memory';
import { vaultMigrations } from './migrations/vaults';
import type { DatabaseHandle } from './open';
import type { StoreGroup } from './target';

export const MIGRATIONS: Record<StoreGroup, Record<string, Migration>> = { memory: memoryMigrations, vaults: vaultMigrations, keys: keyMigrations, flows: flowMigrations };

export interface SchemaStatus {
  group: StoreGroup;
  where: string;
  /** Migrations recorded in the database, oldest first. */
  applied: string[];
  /** Migrations the code has and the database has not. */
  pending: string[];
  /** Migrations the database has and this code does not know: it was migrated by a newer PAR. */
  unknown: string[];
  state: 'current' | 'pending' | 'newer';
}

export function migrationTable(group: StoreGroup): string {
  return `par_migrations_${group}`;
}

function migrator(handle: DatabaseHandle, group: StoreGroup): Migrator {
  return new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => MIGRATIONS[group] },
    migrationTableName: migrationTable(group),
    migrationLockTableName: `${migrationTable(group)}_lock`,
  });
}

export async function schemaStatus(handle: DatabaseHandle, group: StoreGroup): Promise<SchemaStatus> {
  const known = Object.keys(MIGRATIONS[group]).sort();
  const applied = await appliedMigrations(handle, group);
  const pending = known.filter((m) => !applied.includes(m));
  const unknown = applied.filter((m) => !known.includes(m));
  return { group, where: handle.where, applied, pending, unknown, state: unknown.length ? 'newer' : pending.length ? 'pending' : 'current' };
}

/** Applies every pending migration; returns their names. Safe when several processes start at once. */
export async function migrate(handle: DatabaseHandle, group: StoreGroup): Promise<string[]> {
  const before = await schemaStatus(handle, group);
  if (before.state === 'newer') throw newerSchema(before);
  if (before.state === 'current') return [];
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator(handle, group).migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Another process on the same SQLite file (or racing to create the history table) won: look again.
    if (attempt < 3 && isContention(error)) continue;
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new DatabaseError(`migrating the ${group} store in ${handle.where} failed${failed ? ` at ${failed}` : ''}: ${(error as Error).message ?? String(error)}`, 'migration_failed');
  }
}

/**
 * What a process does at open: migrate when allowed, otherwise refuse a database that is behind
 * (naming the command that fixes it). A newer schema is always refused.
 */
export async function ensureSchema(handle: DatabaseHandle, group: StoreGroup, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (autoMigrate(env)) {
    await migrate(handle, group);
    return;
  }
  const status = await schemaStatus(handle, group);
  if (status.state === 'newer') throw newerSchema(status);
  if (status.state === 'pending') {
    throw new DatabaseError(
      `the ${group} store in ${handle.where} needs migrations ${status.pending.join(', ')}; run \`par db migrate\` (PAR_DATABASE_AUTO_MIGRATE=false stops processes doing it at start)`,
      'schema_outdated',
    );
  }
}

export function autoMigrate(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.PAR_DATABASE_AUTO_MIGRATE ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`PAR_DATABASE_AUTO_MIGRATE=${env.PAR_DATABASE_AUTO_MIGRATE} must be true or false`);
}

function newerSchema(s: SchemaStatus): DatabaseError {
  return new DatabaseError(
    `the ${s.group} store in ${s.where} has migrations this PAR does not know (${s.unknown.join(', ')}): it was migrated by a newer version; run that version, or upgrade this one`,
    'schema_newer',
  );
}

async function appliedMigrations(handle: DatabaseHandle, group: StoreGroup): Promise<string[]> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(migrationTable(group))} order by name`.execute(handle.db);
    return rows.map((r) => r.name);
  } catch (err) {
    if (/no such table|does not exist/i.test((err as Error).message)) return [];
    throw err;
  }
}

/**
 * Another process applied the same migration first. On SQLite the migrator takes no lock, so the
 * API and the worker starting together can both find a migration pending; the one that loses
 * fails on what the winner created ("duplicate column name: layout" for 0002_flow_layout, seen in
 * the stack test) and, looking again, finds nothing left to do.
 */
function isContention(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === 'SQLITE_BUSY' ||
    e?.code === '23505' ||
    e?.code === '42P07' ||
    e?.code === '42701' ||
    /database is locked|duplicate column name|already exists/i.test(e?.message ?? '')
  );
}
