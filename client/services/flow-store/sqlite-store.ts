import type Database from 'better-sqlite3';
import { openSqlite } from '../../../activities/vaults/sqlite-file';
import type { FlowDefinition } from '../../../workflows/flow/types';
import { FlowVersionConflictError, type FlowStore, type FlowVersionInfo, type SaveFlowOptions, type StoredFlow, type StoredFlowSummary } from './port';

interface VersionRow {
  flow_id: string;
  version: number;
  definition: string;
  created_at: string;
  created_by: string;
  message: string | null;
}

const info = (r: VersionRow): FlowVersionInfo => ({ id: r.flow_id, version: r.version, createdAt: r.created_at, createdBy: r.created_by, message: r.message });
const stored = (r: VersionRow): StoredFlow => ({ ...info(r), definition: JSON.parse(r.definition) as FlowDefinition });

/** The embedded flow store: one SQLite file under the data folder, shared by the API and the CLI. */
export class SqliteFlowStore implements FlowStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS flow_versions (
        flow_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        message TEXT,
        PRIMARY KEY (flow_id, version)
      );
      CREATE TABLE IF NOT EXISTS flows (
        flow_id TEXT PRIMARY KEY,
        latest INTEGER NOT NULL,
        deleted_at TEXT,
        deleted_by TEXT
      );
    `);
  }

  async save(id: string, definition: FlowDefinition, opts: SaveFlowOptions): Promise<StoredFlow> {
    const write = this.db.transaction((): VersionRow => {
      const head = this.db.prepare('SELECT latest, deleted_at FROM flows WHERE flow_id = ?').get(id) as { latest: number; deleted_at: string | null } | undefined;
      const live = head && !head.deleted_at ? head.latest : undefined;
      if (opts.baseVersion !== undefined && opts.baseVersion !== (live ?? 0)) throw new FlowVersionConflictError(id, opts.baseVersion, live);
      const row: VersionRow = { flow_id: id, version: (head?.latest ?? 0) + 1, definition: JSON.stringify(definition), created_at: new Date().toISOString(), created_by: opts.by, message: opts.message ?? null };
      this.db.prepare('INSERT INTO flow_versions (flow_id, version, definition, created_at, created_by, message) VALUES (@flow_id, @version, @definition, @created_at, @created_by, @message)').run(row);
      this.db.prepare('INSERT INTO flows (flow_id, latest) VALUES (?, ?) ON CONFLICT(flow_id) DO UPDATE SET latest = excluded.latest, deleted_at = NULL, deleted_by = NULL').run(id, row.version);
      return row;
    });
    return stored(write.immediate());
  }

  async get(id: string, version?: number): Promise<StoredFlow | undefined> {
    const latest = this.latest(id);
    if (latest === undefined) return undefined;
    const row = this.db.prepare('SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?').get(id, version ?? latest) as VersionRow | undefined;
    return row && stored(row);
  }

  async list(): Promise<StoredFlowSummary[]> {
    const rows = this.db
      .prepare('SELECT v.* FROM flows f JOIN flow_versions v ON v.flow_id = f.flow_id AND v.version = f.latest WHERE f.deleted_at IS NULL ORDER BY f.flow_id')
      .all() as VersionRow[];
    return rows.map((r) => ({ id: r.flow_id, version: r.version, updatedAt: r.created_at, updatedBy: r.created_by }));
  }

  async versions(id: string): Promise<FlowVersionInfo[]> {
    if (this.latest(id) === undefined) return [];
    const rows = this.db.prepare('SELECT flow_id, version, created_at, created_by, message FROM flow_versions WHERE flow_id = ? ORDER BY version DESC').all(id) as VersionRow[];
    return rows.map(info);
  }

  async delete(id: string, by: string): Promise<boolean> {
    const r = this.db.prepare('UPDATE flows SET deleted_at = ?, deleted_by = ? WHERE flow_id = ? AND deleted_at IS NULL').run(new Date().toISOString(), by, id);
    return r.changes > 0;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The latest version of a flow that is stored and not deleted. */
  private latest(id: string): number | undefined {
    const head = this.db.prepare('SELECT latest FROM flows WHERE flow_id = ? AND deleted_at IS NULL').get(id) as { latest: number } | undefined;
    return head?.latest;
  }
}
