import crypto from 'node:crypto';
import path from 'node:path';
import type { CompiledQuery } from 'kysely';
import { isUniqueViolation, openStoreDatabase, type DatabaseTarget, type KeyTables, type StoreDatabase } from '../../../activities/db';
import type { Grants, Principal } from './grants';
import { ParError } from '../../../workflows/errors';

export interface ApiKeyInfo {
  id: string;
  name: string;
  grants: Grants;
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The secret, shown once: only its hash is stored. */
  key: string;
}

type Row = KeyTables['api_keys'];

export class KeyNameTakenError extends ParError {
  override name = 'KeyNameTakenError';
  readonly code = 'name_taken';
}

const KEY_FORMAT = /^par_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

export function apiKeysPath(dataDir: string): string {
  return path.join(dataDir, 'api-keys.sqlite');
}

/**
 * API keys in the keys database (<data dir>/api-keys.sqlite, or PostgreSQL with PAR_DATABASE_URL). A key is "par_<id>_<secret>"; the secret is 256 random
 * bits, so a plain SHA-256 of it is safe at rest (no slow hash needed) and compared in constant time.
 */
export class ApiKeyStore {
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: StoreDatabase<KeyTables>) {}

  /** The key store of the environment (or of the given database). */
  static async open(target?: DatabaseTarget): Promise<ApiKeyStore> {
    return new ApiKeyStore(await openStoreDatabase('keys', { target }));
  }

  /**
   * Creates a key. Its name is who the key is in flow runs (an approval decided with it is
   * recorded as by: name, and approval nodes list approvers by these names), so active names are
   * unique: a unique index on active names decides, so two API processes creating one name at
   * once get one key and one KeyNameTakenError.
   */
  async create(name: string | undefined, grants: Grants): Promise<CreatedApiKey> {
    const id = crypto.randomBytes(8).toString('hex');
    name = name?.trim() || `key-${id}`;
    const secret = crypto.randomBytes(32).toString('base64url');
    const createdAt = new Date().toISOString();
    try {
      await this.store.db
        .insertInto('api_keys')
        .values({ id, name, hash: hashSecret(secret), grants: JSON.stringify(grants), created_at: createdAt, revoked_at: null, last_used_at: null })
        .execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const taken = await this.store.db.selectFrom('api_keys').select('id').where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
      // Not the name: the 64-bit id collided (never seen in practice); the caller may simply retry.
      if (!taken) throw err;
      throw new KeyNameTakenError(`an active API key (${taken.id}) is already named "${name}"; pick another --name or revoke it first`);
    }
    return { id, name, grants, createdAt, key: `par_${id}_${secret}` };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.store.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute()).map(toInfo);
  }

  async get(id: string): Promise<ApiKeyInfo | undefined> {
    const row = await this.row(id);
    return row && toInfo(row);
  }

  /** Marks a key revoked (kept for the record); false when there is no such key. */
  async revoke(id: string): Promise<boolean> {
    if (!(await this.row(id))) return false;
    await this.store.db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return true;
  }

  /** The principal for a presented key, or why it was refused. */
  async verify(presented: string): Promise<{ principal: Principal } | { refused: string }> {
    const m = KEY_FORMAT.exec(presented);
    if (!m) return { refused: 'the API key is malformed (expected par_<id>_<secret>)' };
    const row = await this.row(m[1]);
    const given = Buffer.from(hashSecret(m[2]), 'hex');
    // Compare against something even for unknown ids so timing does not reveal which ids exist.
    const stored = Buffer.from(row?.hash ?? hashSecret(''), 'hex');
    if (!row || !crypto.timingSafeEqual(given, stored)) return { refused: 'the API key is not valid' };
    if (row.revoked_at) return { refused: `the API key ${row.id} was revoked at ${row.revoked_at}` };
    // last_used_at is coarse (a minute) so busy keys do not cost a write per request.
    const now = Date.now();
    if (now - (this.touched.get(row.id) ?? 0) > 60_000) {
      this.touched.set(row.id, now);
      await this.store.db.updateTable('api_keys').set({ last_used_at: new Date(now).toISOString() }).where('id', '=', row.id).execute();
    }
    return { principal: { keyId: row.id, name: row.name, grants: JSON.parse(row.grants) as Grants } };
  }

  async close(): Promise<void> {
    await this.store.release();
  }

  /** Every API request looks its key up: the query is compiled once (kysely would build and compile it each time). */
  private byId?: CompiledQuery<Row>;

  private async row(id: string): Promise<Row | undefined> {
    this.byId ??= this.store.db.selectFrom('api_keys').selectAll().where('id', '=', '').compile();
    return (await this.store.db.executeQuery<Row>({ ...this.byId, parameters: [id] })).rows[0];
  }
}

function toInfo(row: Row): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    grants: JSON.parse(row.grants) as Grants,
    createdAt: row.created_at,
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
  };
}
