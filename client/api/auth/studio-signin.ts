import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { openSqlite } from '../../../activities/vaults/sqlite-file';
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
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS studio_signin_tokens (
      hash TEXT PRIMARY KEY, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT, key_id TEXT)`);
  }

  /** A new token, valid once for `ttlMs`. */
  issue(ttlMs = SIGNIN_TOKEN_TTL_MS): { token: string; expiresAt: string } {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = new Date(now + ttlMs).toISOString();
    this.db.prepare('INSERT INTO studio_signin_tokens (hash, created_at, expires_at) VALUES (?, ?, ?)').run(hash(token), new Date(now).toISOString(), expiresAt);
    this.db.prepare('DELETE FROM studio_signin_tokens WHERE expires_at < ? AND used_at IS NULL').run(new Date(now - 24 * 3600_000).toISOString());
    return { token, expiresAt };
  }

  /** Trades a token for a new local admin key, exactly once; undefined when unknown, used or expired. */
  redeem(token: string, keys: ApiKeyStore): { apiKey: string; name: string; keyId: string } | undefined {
    const now = new Date().toISOString();
    const claim = this.db.prepare('UPDATE studio_signin_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?').run(now, hash(token), now);
    if (claim.changes !== 1) return undefined;
    const created = keys.create(`studio-local-admin-${crypto.randomBytes(3).toString('hex')}`, LOCAL_ADMIN_GRANTS);
    this.db.prepare('UPDATE studio_signin_tokens SET key_id = ? WHERE hash = ?').run(created.id, hash(token));
    return { apiKey: created.key, name: created.name, keyId: created.id };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
