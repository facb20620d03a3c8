import type { Kysely } from 'kysely';
import type { MemoryTables } from '../db';

/** The memory stores' database (SQLite or PostgreSQL), or a transaction on it. */
export type MemoryDb = Kysely<MemoryTables>;

export function nowIso(): string {
  return new Date().toISOString();
}
