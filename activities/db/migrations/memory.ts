import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The memory stores' schema history. 0001 is the layout the stores created at open before
 * versioned migrations (IF NOT EXISTS, so a data folder from then is adopted in place).
 * Never edit a migration that has shipped: add the next one.
 */
export const memoryMigrations: Record<string, Migration> = {
  '0001_memory_baseline': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('memory_vault_entries')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .addColumn('deleted', 'text')
        .addPrimaryKeyConstraint('memory_vault_entries_pk', ['tenant', 'id'])
        .execute();
      await db.schema.createIndex('memory_vault_entries_scope').ifNotExists().on('memory_vault_entries').columns(['tenant', 'scope', 'deleted', 'updated']).execute();
      await db.schema
        .createTable('memory_vault_commits')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('plan_id', 'text', (c) => c.notNull())
        .addColumn('entry_id', 'text', (c) => c.notNull())
        .addColumn('committed', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memory_vault_commits_pk', ['tenant', 'plan_id'])
        .execute();
      await db.schema
        .createTable('facts')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('facts_pk', ['tenant', 'namespace', 'key'])
        .execute();
      await db.schema.createIndex('facts_recent').ifNotExists().on('facts').columns(['tenant', 'namespace', 'updated']).execute();
      await db.schema
        .createTable('conversation_chunks')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('message_index', 'integer', (c) => c.notNull())
        .addColumn('chunk_index', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('conversation_chunks_pk', ['tenant', 'id'])
        .execute();
      await db.schema.createIndex('conversation_chunks_session').ifNotExists().on('conversation_chunks').columns(['tenant', 'session_id', 'message_index']).execute();
      await db.schema
        .createTable('session_messages')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('tool_call_id', 'text')
        .addColumn('tool_calls', 'text')
        .addColumn('created', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_messages_pk', ['tenant', 'session_id', 'seq'])
        .execute();
      await db.schema
        .createTable('reasoning_items')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('task_signature', 'text', (c) => c.notNull())
        .addColumn('anti_patterns', 'text', (c) => c.notNull())
        .addColumn('evidence_run_ids', 'text', (c) => c.notNull())
        .addColumn('confidence', 'double precision', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .addColumn('last_used', 'text')
        .addColumn('last_decay', 'text')
        .addPrimaryKeyConstraint('reasoning_items_pk', ['tenant', 'id'])
        .execute();
      await db.schema
        .createTable('memory_learned_runs')
        .ifNotExists()
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('finished', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memory_learned_runs_pk', ['tenant', 'run_id'])
        .execute();
    },
  },
  '0002_memory_vault_topic_locks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('memory_vault_locks')
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('taken', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memory_vault_locks_pk', ['tenant', 'scope'])
        .execute();
      // Reasoning items are listed per tenant by confidence; the old layout scanned the tenant.
      await sql`CREATE INDEX reasoning_items_rank ON reasoning_items (tenant, confidence)`.execute(db);
    },
  },
  '0003_memory_collection_settings': {
    async up(db: Kysely<unknown>) {
      // How each vector collection was indexed (e.g. conversation turns with their neighbours),
      // recorded when the collection is first used so a later default never changes an old one.
      await db.schema
        .createTable('memory_collection_settings')
        .addColumn('collection', 'text', (c) => c.notNull().primaryKey())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
