import { sql, type Kysely, type Migration } from 'kysely';

/** The API key store's schema history. See memory.ts. */
export const keyMigrations: Record<string, Migration> = {
  '0001_keys_baseline': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('grants', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
    },
  },
  '0002_keys_unique_active_name': {
    async up(db: Kysely<unknown>) {
      // Two API processes creating the same name at once: the database, not a read-then-write, decides.
      await sql`CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL`.execute(db);
    },
  },
  '0003_studio_signin_tokens': {
    async up(db: Kysely<unknown>) {
      // IF NOT EXISTS: the studio's first release created this table at open.
      await db.schema
        .createTable('studio_signin_tokens')
        .ifNotExists()
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('key_id', 'text')
        .execute();
    },
  },
};
