/** Key-value storage per namespace (an account or a vault): the flow's Storage node. */
import { sql } from 'kysely';
import type { JsonValue } from '../contracts';
import { openStoreDatabase, type DatabaseTarget, type StoreDatabase, type VaultTables } from '../db';

export interface KeyValueStore {
  get(namespace: string, key: string): Promise<{ found: boolean; value?: JsonValue }>;
  set(namespace: string, key: string, value: JsonValue): Promise<void>;
  /** True when the key existed. */
  delete(namespace: string, key: string): Promise<boolean>;
  list(namespace: string, prefix?: string): Promise<{ key: string; value: JsonValue }[]>;
  close(): Promise<void>;
}

/** The key-value store in the vaults database (SQLite or PostgreSQL). */
export class SqlKeyValueStore implements KeyValueStore {
  constructor(private readonly store: StoreDatabase<VaultTables>) {}

  static async open(target?: DatabaseTarget): Promise<SqlKeyValueStore> {
    return new SqlKeyValueStore(await openStoreDatabase('vaults', { target }));
  }

  async get(namespace: string, key: string): Promise<{ found: boolean; value?: JsonValue }> {
    const row = await this.store.db.selectFrom('kv').select('value').where('namespace', '=', namespace).where('key', '=', key).executeTakeFirst();
    return row ? { found: true, value: JSON.parse(row.value) as JsonValue } : { found: false };
  }

  async set(namespace: string, key: string, value: JsonValue): Promise<void> {
    await this.store.db
      .insertInto('kv')
      .values({ namespace, key, value: JSON.stringify(value), updated: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['namespace', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated: eb.ref('excluded.updated') })))
      .execute();
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const res = await this.store.db.deleteFrom('kv').where('namespace', '=', namespace).where('key', '=', key).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async list(namespace: string, prefix = ''): Promise<{ key: string; value: JsonValue }[]> {
    const rows = await this.store.db
      .selectFrom('kv')
      .select(['key', 'value'])
      .where('namespace', '=', namespace)
      // substr, not LIKE: a prefix may hold % and _.
      .where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix)
      .orderBy('key')
      .execute();
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as JsonValue }));
  }

  async close(): Promise<void> {
    await this.store.release();
  }
}
