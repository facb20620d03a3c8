/**
 * better-sqlite3 parses and plans a statement on every prepare(), and kysely prepares every query
 * it runs, so a busy request path (an API search checks a key and reads a vault's settings each
 * time) spent more on preparing than on running its queries. A prepared statement can be run again
 * with other parameters, so one is kept per SQL text, least recently used first out.
 */
import type { Database, Statement } from 'better-sqlite3';
import { LruCache } from '../embeddings/lru';

/** Distinct SQL texts kept prepared: kysely builds a handful per store, so this bound is rarely met. */
const CAPACITY = 256;

/** A database whose prepare() hands out cached statements: kysely's SqliteDialect takes it as is. */
export interface CachingDatabase {
  close(): void;
  prepare(sql: string): Statement;
}

export function cachingStatements(database: Database, capacity = CAPACITY): CachingDatabase {
  const prepared = new LruCache<string, Statement>(capacity);
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const known = prepared.get(sql);
      // A statement an open iterator still reads (kysely's streamed queries) cannot run twice at once.
      if (known && !known.busy) return known;
      const fresh = database.prepare(sql);
      if (!known) prepared.set(sql, fresh);
      return fresh;
    },
  };
}
