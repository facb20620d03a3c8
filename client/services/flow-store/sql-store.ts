import { isPostgres, isUniqueViolation, openStoreDatabase, type DatabaseTarget, type FlowTables, type StoreDatabase } from '../../../activities/db';
import type { FlowDefinition } from '../../../workflows/flow/types';
import { FlowVersionConflictError, type FlowLayout, type FlowStore, type FlowVersionInfo, type SaveFlowOptions, type StoredFlow, type StoredFlowSummary } from './port';

type VersionRow = FlowTables['flow_versions'];

const info = (r: Omit<VersionRow, 'definition' | 'layout'>): FlowVersionInfo => ({ id: r.flow_id, version: r.version, createdAt: r.created_at, createdBy: r.created_by, message: r.message });
const stored = (r: VersionRow): StoredFlow => ({ ...info(r), definition: JSON.parse(r.definition) as FlowDefinition, ...(r.layout ? { layout: JSON.parse(r.layout) as FlowLayout } : {}) });

/**
 * The flow store in the flows database: <data dir>/flows.sqlite (embedded default), or
 * PostgreSQL with PAR_DATABASE_URL, shared by every API process and the CLI.
 */
export class SqlFlowStore implements FlowStore {
  readonly kind: string;

  constructor(private readonly store: StoreDatabase<FlowTables>) {
    this.kind = store.dialect;
  }

  static async open(target?: DatabaseTarget): Promise<SqlFlowStore> {
    return new SqlFlowStore(await openStoreDatabase('flows', { target }));
  }

  async save(id: string, definition: FlowDefinition, opts: SaveFlowOptions): Promise<StoredFlow> {
    for (let attempt = 1; ; attempt++) {
      try {
        return stored(await this.trySave(id, definition, opts));
      } catch (err) {
        // Two first saves of one flow raced (no head row to lock yet): the loser sees the winner's version now.
        if (!isUniqueViolation(err) || attempt >= 3) throw err;
      }
    }
  }

  private trySave(id: string, definition: FlowDefinition, opts: SaveFlowOptions): Promise<VersionRow> {
    return this.store.db.transaction().execute(async (trx) => {
      const query = trx.selectFrom('flows').select(['latest', 'deleted_at']).where('flow_id', '=', id);
      // The head row's lock orders concurrent saves of one flow (SQLite's write lock does it there).
      const head = await (isPostgres(trx) ? query.forUpdate() : query).executeTakeFirst();
      const live = head && !head.deleted_at ? head.latest : undefined;
      if (opts.baseVersion !== undefined && opts.baseVersion !== (live ?? 0)) throw new FlowVersionConflictError(id, opts.baseVersion, live);
      const row: VersionRow = {
        flow_id: id,
        version: (head?.latest ?? 0) + 1,
        definition: JSON.stringify(definition),
        created_at: new Date().toISOString(),
        created_by: opts.by,
        message: opts.message ?? null,
        layout: opts.layout ? JSON.stringify(opts.layout) : null,
      };
      await trx.insertInto('flow_versions').values(row).execute();
      await trx
        .insertInto('flows')
        .values({ flow_id: id, latest: row.version, deleted_at: null, deleted_by: null })
        .onConflict((oc) => oc.column('flow_id').doUpdateSet({ latest: row.version, deleted_at: null, deleted_by: null }))
        .execute();
      return row;
    });
  }

  async get(id: string, version?: number): Promise<StoredFlow | undefined> {
    const latest = await this.latest(id);
    if (latest === undefined) return undefined;
    const row = await this.store.db.selectFrom('flow_versions').selectAll().where('flow_id', '=', id).where('version', '=', version ?? latest).executeTakeFirst();
    return row && stored(row);
  }

  async list(): Promise<StoredFlowSummary[]> {
    const rows = await this.store.db
      .selectFrom('flows as f')
      .innerJoin('flow_versions as v', (j) => j.onRef('v.flow_id', '=', 'f.flow_id').onRef('v.version', '=', 'f.latest'))
      .select(['v.flow_id', 'v.version', 'v.created_at', 'v.created_by'])
      .where('f.deleted_at', 'is', null)
      .orderBy('f.flow_id')
      .execute();
    return rows.map((r) => ({ id: r.flow_id, version: r.version, updatedAt: r.created_at, updatedBy: r.created_by }));
  }

  async versions(id: string): Promise<FlowVersionInfo[]> {
    if ((await this.latest(id)) === undefined) return [];
    const rows = await this.store.db
      .selectFrom('flow_versions')
      .select(['flow_id', 'version', 'created_at', 'created_by', 'message'])
      .where('flow_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(info);
  }

  async delete(id: string, by: string): Promise<boolean> {
    const r = await this.store.db.updateTable('flows').set({ deleted_at: new Date().toISOString(), deleted_by: by }).where('flow_id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async close(): Promise<void> {
    await this.store.release();
  }

  /** The latest version of a flow that is stored and not deleted. */
  private async latest(id: string): Promise<number | undefined> {
    const head = await this.store.db.selectFrom('flows').select('latest').where('flow_id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return head?.latest;
  }
}
