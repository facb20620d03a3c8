import type { Kysely, Migration } from 'kysely';

/** The vault stores' schema history (settings, key-value data, ingest staging). See memory.ts. */
export const vaultMigrations: Record<string, Migration> = {
  '0001_vaults_baseline': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('vault_settings')
        .ifNotExists()
        .addColumn('vault', 'text', (c) => c.primaryKey())
        .addColumn('personality', 'text')
        .addColumn('prompt_template', 'text')
        .execute();
      await db.schema
        .createTable('kv')
        .ifNotExists()
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('kv_pk', ['namespace', 'key'])
        .execute();
      await db.schema
        .createTable('ingest_jobs')
        .ifNotExists()
        .addColumn('ingest_id', 'text', (c) => c.primaryKey())
        .addColumn('vault', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ingest_chunks')
        .ifNotExists()
        .addColumn('ingest_id', 'text', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('start', 'integer', (c) => c.notNull())
        .addColumn('end', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('ingest_chunks_pk', ['ingest_id', 'idx'])
        .execute();
    },
  },
  '0002_leases': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('leases')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
