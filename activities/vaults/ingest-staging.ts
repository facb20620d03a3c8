/**
 * Chunks of a large document waiting to be embedded, kept in SQLite so the workflow's history
 * carries only offsets (payloads over 2 MB fail) and a crashed worker resumes where it stopped.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite-file';
import type { Chunk } from './chunking';

export class IngestStaging {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ingest_jobs (ingest_id TEXT PRIMARY KEY, vault TEXT NOT NULL, total INTEGER NOT NULL, created TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ingest_chunks (ingest_id TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, PRIMARY KEY (ingest_id, idx));
    `);
  }

  /** The chunk count of an already staged ingest, if any. */
  staged(ingestId: string): { vault: string; total: number } | undefined {
    return this.db.prepare('SELECT vault, total FROM ingest_jobs WHERE ingest_id = ?').get(ingestId) as { vault: string; total: number } | undefined;
  }

  stage(ingestId: string, vault: string, chunks: Chunk[]): number {
    const insert = this.db.prepare('INSERT OR REPLACE INTO ingest_chunks (ingest_id, idx, text, start, end) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      chunks.forEach((c, i) => insert.run(ingestId, i, c.text, c.start, c.end));
      this.db.prepare('INSERT OR REPLACE INTO ingest_jobs (ingest_id, vault, total, created) VALUES (?, ?, ?, ?)').run(ingestId, vault, chunks.length, new Date().toISOString());
    })();
    return chunks.length;
  }

  read(ingestId: string, from: number, to: number): { idx: number; text: string }[] {
    return this.db.prepare('SELECT idx, text FROM ingest_chunks WHERE ingest_id = ? AND idx >= ? AND idx < ? ORDER BY idx').all(ingestId, from, to) as {
      idx: number;
      text: string;
    }[];
  }

  remove(ingestId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM ingest_chunks WHERE ingest_id = ?').run(ingestId);
      this.db.prepare('DELETE FROM ingest_jobs WHERE ingest_id = ?').run(ingestId);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
