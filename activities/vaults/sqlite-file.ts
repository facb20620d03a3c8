import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Opens a SQLite file for a store shared by the worker, the API and the CLI. */
export function openSqlite(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  return db;
}
