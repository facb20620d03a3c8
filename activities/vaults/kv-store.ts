/** Key-value storage per namespace (an account or a vault): the flow's Storage node. */
import type Database from 'better-sqlite3';
import type { JsonValue } from '../contracts';
import { openSqlite } from './sqlite-file';

export interface KeyValueStore {
  get(namespace: string, key: string): Promise<{ found: boolean; value?: JsonValue }>;
  set(namespace: string, key: string, value: JsonValue): Promise<void>;
  /** True when the key existed. */
  delete(namespace: string, key: string): Promise<boolean>;
  list(namespace: string, prefix?: string): Promise<{ key: string; value: JsonValue }[]>;
  close(): Promise<void>;
}

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS kv (
      namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated TEXT NOT NULL,
      PRIMARY KEY (namespace, key))`);
  }

  async get(namespace: string, key: string): Promise<{ found: boolean; value?: JsonValue }> {
    const row = this.db.prepare('SELECT value FROM kv WHERE namespace = ? AND key = ?').get(namespace, key) as { value: string } | undefined;
    return row ? { found: true, value: JSON.parse(row.value) as JsonValue } : { found: false };
  }

  async set(namespace: string, key: string, value: JsonValue): Promise<void> {
    this.db
      .prepare('INSERT INTO kv (namespace, key, value, updated) VALUES (?, ?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated = excluded.updated')
      .run(namespace, key, JSON.stringify(value), new Date().toISOString());
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?').run(namespace, key).changes > 0;
  }

  async list(namespace: string, prefix = ''): Promise<{ key: string; value: JsonValue }[]> {
    const rows = this.db
      .prepare("SELECT key, value FROM kv WHERE namespace = ? AND substr(key, 1, length(?)) = ? ORDER BY key")
      .all(namespace, prefix, prefix) as { key: string; value: string }[];
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as JsonValue }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
