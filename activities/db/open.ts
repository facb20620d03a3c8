/**
 * The one place PAR opens its relational databases. A process shares one handle per database
 * (one SQLite connection per file, one PostgreSQL pool per URL); each store holds a reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { DatabaseError } from './errors';
import { cachingStatements } from './statement-cache';
import { checkPostgresUrl, describeTarget, type DatabaseTarget } from './target';

/**
 * How long a SQLite writer waits for another process's write lock (the worker, the API and the
 * CLI may write one file at once) before failing with SQLITE_BUSY.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export interface DatabaseHandle {
  // Stores type their own tables (see schema.ts); the handle is shared by all of them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dialect: 'sqlite' | 'postgres';
  target: DatabaseTarget;
  /** How the database is named in messages (a redacted URL or a file path). */
  where: string;
  /** Drops this reference; the last one closes the connection or pool. */
  release(): Promise<void>;
}

interface Shared {
  handle: Omit<DatabaseHandle, 'release'>;
  refs: number;
}

const open = new Map<string, Promise<Shared>>();

function keyOf(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? `sqlite:${target.file === ':memory:' ? `:memory:${Math.random()}` : path.resolve(target.file)}` : `postgres:${target.url}`;
}

/** Opens (or shares) the database; a PostgreSQL URL that is wrong or unreachable fails here, naming it. */
export async function openDatabase(target: DatabaseTarget, env: NodeJS.ProcessEnv = process.env): Promise<DatabaseHandle> {
  const key = keyOf(target);
  let entry = open.get(key);
  if (!entry) {
    entry = (target.kind === 'sqlite' ? Promise.resolve(openSqlite(target)) : openPostgres(target, env)).then((handle) => ({ handle, refs: 0 }));
    open.set(key, entry);
    entry.catch(() => open.delete(key));
  }
  const shared = await entry;
  shared.refs++;
  let released = false;
  return {
    ...shared.handle,
    async release() {
      if (released) return;
      released = true;
      if (--shared.refs > 0) return;
      open.delete(key);
      await shared.handle.db.destroy();
    },
  };
}

function openSqlite(target: { kind: 'sqlite'; file: string }): Omit<DatabaseHandle, 'release'> {
  if (target.file !== ':memory:') fs.mkdirSync(path.dirname(target.file), { recursive: true });
  const database = new SqliteDatabase(target.file);
  // WAL: readers never block the writer; NORMAL sync is durable across process crashes in WAL mode.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  return { db: new Kysely({ dialect: new SqliteDialect({ database: cachingStatements(database) }) }), dialect: 'sqlite', target, where: describeTarget(target) };
}

/** Pool and timeout settings, each overridable from the environment. */
export function postgresPoolSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    max: positiveInt(env, 'PAR_DATABASE_POOL_MAX', 10),
    connectTimeoutMs: positiveInt(env, 'PAR_DATABASE_CONNECT_TIMEOUT_MS', 5_000),
    statementTimeoutMs: positiveInt(env, 'PAR_DATABASE_STATEMENT_TIMEOUT_MS', 30_000),
    idleTimeoutMs: positiveInt(env, 'PAR_DATABASE_IDLE_TIMEOUT_MS', 30_000),
  };
}

async function openPostgres(target: { kind: 'postgres'; url: string }, env: NodeJS.ProcessEnv): Promise<Omit<DatabaseHandle, 'release'>> {
  checkPostgresUrl(target.url);
  const s = postgresPoolSettings(env);
  const where = describeTarget(target);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: s.max,
    connectionTimeoutMillis: s.connectTimeoutMs,
    idleTimeoutMillis: s.idleTimeoutMs,
    statement_timeout: s.statementTimeoutMs,
    // A transaction left open by a crashed request must not hold its row locks forever.
    idle_in_transaction_session_timeout: s.statementTimeoutMs * 2,
    application_name: `par-${path.basename(process.argv[1] ?? 'node')}`,
  });
  // An idle client losing its connection (server restart) is not fatal: the pool replaces it.
  pool.on('error', (err) => console.error(`[db] ${where}: idle connection failed: ${err.message}`));
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new DatabaseError(`cannot use ${where} (PAR_DATABASE_URL): ${reason(err)}`, 'unreachable');
  }
  return { db, dialect: 'postgres', target, where };
}

function reason(err: unknown): string {
  const e = err as Error & { code?: string; errors?: Error[] };
  const message = e.message || e.errors?.map((x) => x.message).join('; ') || e.code || String(err);
  return message.replace(/^timeout expired$/i, 'no answer in time (connection timeout; see PAR_DATABASE_CONNECT_TIMEOUT_MS)');
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive integer`);
  return n;
}

/** True when the database (or transaction) is PostgreSQL: row locks (FOR UPDATE) exist there only. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
