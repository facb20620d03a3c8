import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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

interface Row {
  id: string;
  name: string;
  hash: string;
  grants: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

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
 * API keys in SQLite in the data folder. A key is "par_<id>_<secret>"; the secret is 256 random
 * bits, so a plain SHA-256 of it is safe at rest (no slow hash needed) and compared in constant time.
 */
export class ApiKeyStore {
  private readonly db: Database.Database;
  private readonly touchStmt: Database.Statement;
  private readonly touched = new Map<string, number>();

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, grants TEXT NOT NULL,
      created_at TEXT NOT NULL, revoked_at TEXT, last_used_at TEXT)`);
    this.touchStmt = this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  }

  /**
   * Creates a key. Its name is who the key is in flow runs (an approval decided with it is
   * recorded as by: name, and approval nodes list approvers by these names), so active names are unique.
   */
  create(name: string | undefined, grants: Grants): CreatedApiKey {
    const id = crypto.randomBytes(8).toString('hex');
    name = name?.trim() || `key-${id}`;
    const taken = this.db.prepare('SELECT id FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(name) as { id: string } | undefined;
    if (taken) throw new KeyNameTakenError(`an active API key (${taken.id}) is already named "${name}"; pick another --name or revoke it first`);
    const secret = crypto.randomBytes(32).toString('base64url');
    const createdAt = new Date().toISOString();
    this.db
      .prepare('INSERT INTO api_keys (id, name, hash, grants, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, name, hashSecret(secret), JSON.stringify(grants), createdAt);
    return { id, name, grants, createdAt, key: `par_${id}_${secret}` };
  }

  list(): ApiKeyInfo[] {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY created_at').all() as Row[]).map(toInfo);
  }

  get(id: string): ApiKeyInfo | undefined {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return row && toInfo(row);
  }

  /** Marks a key revoked (kept for the record); false when there is no such key. */
  revoke(id: string): boolean {
    const info = this.get(id);
    if (!info) return false;
    if (!info.revokedAt) this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(new Date().toISOString(), id);
    return true;
  }

  /** The principal for a presented key, or why it was refused. */
  verify(presented: string): { principal: Principal } | { refused: string } {
    const m = KEY_FORMAT.exec(presented);
    if (!m) return { refused: 'the API key is malformed (expected par_<id>_<secret>)' };
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(m[1]) as Row | undefined;
    const given = Buffer.from(hashSecret(m[2]), 'hex');
    // Compare against something even for unknown ids so timing does not reveal which ids exist.
    const stored = Buffer.from(row?.hash ?? hashSecret(''), 'hex');
    if (!row || !crypto.timingSafeEqual(given, stored)) return { refused: 'the API key is not valid' };
    if (row.revoked_at) return { refused: `the API key ${row.id} was revoked at ${row.revoked_at}` };
    // last_used_at is coarse (a minute) so busy keys do not cost a write per request.
    const now = Date.now();
    if (now - (this.touched.get(row.id) ?? 0) > 60_000) {
      this.touched.set(row.id, now);
      this.touchStmt.run(new Date(now).toISOString(), row.id);
    }
    return { principal: { keyId: row.id, name: row.name, grants: JSON.parse(row.grants) as Grants } };
  }

  close(): void {
    this.db.close();
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
