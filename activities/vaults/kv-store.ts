/** Key-value storage per namespace (an account or a vault): the flow's Storage node. */
import { sql } from 'kysely';
import type { JsonValue, KvRequest, KvResult } from '../contracts';
import { openStoreDatabase, type DatabaseTarget, type StoreDatabase, type VaultTables } from '../db';
import { VaultError } from './errors';

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

/** One get, set or delete, checked: the Storage node's kvStore activity and `par vault kv` both run it. */
export async function runKvRequest(kv: KeyValueStore, req: KvRequest): Promise<KvResult> {
  if (!req || typeof req.namespace !== 'string' || !req.namespace) throw new VaultError('kvStore needs a namespace', 'bad_request');
  if (typeof req.key !== 'string' || !req.key) throw new VaultError(`kvStore in namespace ${req.namespace} needs a key`, 'bad_request');
  switch (req.op) {
    case 'get':
      return kv.get(req.namespace, req.key);
    case 'set':
      if (req.value === undefined) throw new VaultError(`kvStore set of ${req.namespace}/${req.key} needs a value`, 'bad_request');
      await kv.set(req.namespace, req.key, req.value);
      return { found: true, value: req.value };
    case 'delete':
      return { found: await kv.delete(req.namespace, req.key) };
    default:
      throw new VaultError(`kvStore op must be get, set or delete, got ${JSON.stringify((req as { op?: unknown }).op)}`, 'bad_request');
  }
}
