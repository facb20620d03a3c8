import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type MemoryDatabase = Database.Database;

/** Opens (creating if needed) the memory database in WAL mode, so readers never block the writer. */
export function openMemoryDatabase(file: string): MemoryDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The CLI and a worker may write the same file at once; wait for the lock rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

export function nowIso(): string {
  return new Date().toISOString();
}
