/**
 * Where the relational stores live: one SQLite file per store group in the data folder (the
 * embedded default, nothing to configure), or one PostgreSQL database for every group when
 * PAR_DATABASE_URL is set.
 */
import path from 'node:path';
import { loadConfig } from '../../workers/config';
import { DatabaseError } from './errors';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** The stores that share one SQLite file (and one migration history). */
export type StoreGroup = 'memory' | 'vaults' | 'keys' | 'flows';

export const STORE_GROUPS: readonly StoreGroup[] = ['memory', 'vaults', 'keys', 'flows'];

/** Today's file names, kept so data folders written by earlier versions open in place. */
const SQLITE_FILES: Record<StoreGroup, string> = { memory: 'memory.sqlite', vaults: 'vaults.sqlite', keys: 'api-keys.sqlite', flows: 'flows.sqlite' };

export function sqliteFileOf(group: StoreGroup, dataDir: string): string {
  return path.join(dataDir, SQLITE_FILES[group]);
}

/** The group's database as the environment configures it. */
export function databaseTarget(group: StoreGroup, env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const url = env.PAR_DATABASE_URL?.trim();
  if (url) return { kind: 'postgres', url: checkPostgresUrl(url) };
  return { kind: 'sqlite', file: sqliteFileOf(group, loadConfig(env).dataDir) };
}

/** Returns the URL when it is a usable PostgreSQL URL; otherwise says what is wrong with it. */
export function checkPostgresUrl(url: string, setting = 'PAR_DATABASE_URL'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseError(`${setting} is not a URL (expected postgres://USER:PASSWORD@HOST:5432/DATABASE): got "${redactUrl(url)}"`, 'bad_url');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseError(`${setting} must be a postgres:// URL (PAR stores relational data in PostgreSQL or, without it, in SQLite): got "${redactUrl(url)}"`, 'bad_url');
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) throw new DatabaseError(`${setting} names no host: "${redactUrl(url)}"`, 'bad_url');
  if (parsed.pathname.length <= 1) throw new DatabaseError(`${setting} names no database (postgres://…/DATABASE): "${redactUrl(url)}"`, 'bad_url');
  return url;
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** How a target is named in messages. */
export function describeTarget(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? `SQLite file ${target.file}` : `PostgreSQL at ${redactUrl(target.url)}`;
}
