import type { Kysely, Migration } from 'kysely';

/** The flow store's schema history (versions of stored flows). See memory.ts. */
export const flowMigrations: Record<string, Migration> = {
  '0001_flows_baseline': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('flow_versions')
        .ifNotExists()
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addPrimaryKeyConstraint('flow_versions_pk', ['flow_id', 'version'])
        .execute();
      await db.schema
        .createTable('flows')
        .ifNotExists()
        .addColumn('flow_id', 'text', (c) => c.primaryKey())
        .addColumn('latest', 'integer', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .addColumn('deleted_by', 'text')
        .execute();
    },
  },
  // Where the studio drew each node (JSON {nodeId: {x, y}}), saved with the version; the engine never reads it.
  '0002_flow_layout': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('flow_versions').addColumn('layout', 'text').execute();
    },
  },
};
