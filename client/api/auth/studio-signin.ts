import crypto from 'node:crypto';
import { openStoreDatabase, type DatabaseTarget, type KeyTables, type StoreDatabase } from '../../../activities/db';
import type { ApiKeyStore } from './key-store';
import type { Grants } from './grants';

/** How long a sign-in link works. */
export const SIGNIN_TOKEN_TTL_MS = 15 * 60_000;
const LOCAL_ADMIN_GRANTS: Grants = { vaults: { '*': 'admin' }, flows: ['*'] };

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/**
 * One-time sign-in tokens for the studio on this machine: `npm start` issues one and prints a link
 * with it; the studio trades it once (POST /v1/studio/signin) for a new local admin API key. Only
 * the token's hash is stored, beside the API keys; the key is made at sign-in, so its secret never
 * sits on disk.
 */
export class StudioSignins {
  constructor(private readonly store: StoreDatabase<KeyTables>) {}

  /** The sign-ins of the keys database (beside the API keys). */
  static async open(target?: DatabaseTarget): Promise<StudioSignins> {
    return new StudioSignins(await openStoreDatabase('keys', { target }));
  }

  /** A new token, valid once for `ttlMs`. */
  async issue(ttlMs = SIGNIN_TOKEN_TTL_MS): Promise<{ token: string; expiresAt: string }> {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = new Date(now + ttlMs).toISOString();
    await this.store.db.insertInto('studio_signin_tokens').values({ hash: hash(token), created_at: new Date(now).toISOString(), expires_at: expiresAt, used_at: null, key_id: null }).execute();
    await this.store.db
      .deleteFrom('studio_signin_tokens')
      .where('expires_at', '<', new Date(now - 24 * 3600_000).toISOString())
      .where('used_at', 'is', null)
      .execute();
    return { token, expiresAt };
  }

  /** Trades a token for a new local admin key, exactly once; undefined when unknown, used or expired. */
  async redeem(token: string, keys: ApiKeyStore): Promise<{ apiKey: string; name: string; keyId: string } | undefined> {
    const now = new Date().toISOString();
    // One conditional UPDATE claims the token: of two API processes redeeming it at once, one wins.
    const claim = await this.store.db
      .updateTable('studio_signin_tokens')
      .set({ used_at: now })
      .where('hash', '=', hash(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return undefined;
    const created = await keys.create(`studio-local-admin-${crypto.randomBytes(3).toString('hex')}`, LOCAL_ADMIN_GRANTS);
    await this.store.db.updateTable('studio_signin_tokens').set({ key_id: created.id }).where('hash', '=', hash(token)).execute();
    return { apiKey: created.key, name: created.name, keyId: created.id };
  }

  async close(): Promise<void> {
    await this.store.release();
  }
}
