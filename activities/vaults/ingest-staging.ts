/**
 * Chunks of a large document waiting to be embedded, kept in the vaults database so the
 * workflow's history carries only offsets (payloads over 2 MB fail) and a crashed worker resumes
 * where it stopped, on any worker.
 */
import { openStoreDatabase, type DatabaseTarget, type StoreDatabase, type VaultTables } from '../db';
import type { Chunk } from './chunking';

/** Rows per INSERT statement (PostgreSQL allows 65,535 parameters per statement). */
const ROWS_PER_INSERT = 500;

export class IngestStaging {
  constructor(private readonly store: StoreDatabase<VaultTables>) {}

  static async open(target?: DatabaseTarget): Promise<IngestStaging> {
    return new IngestStaging(await openStoreDatabase('vaults', { target }));
  }

  /** The chunk count of an already staged ingest, if any. */
  async staged(ingestId: string): Promise<{ vault: string; total: number } | undefined> {
    return this.store.db.selectFrom('ingest_jobs').select(['vault', 'total']).where('ingest_id', '=', ingestId).executeTakeFirst();
  }

  /** Stages all chunks and the job row in one transaction: a job row means every chunk is there. */
  async stage(ingestId: string, vault: string, chunks: Chunk[]): Promise<number> {
    await this.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ingest_chunks').where('ingest_id', '=', ingestId).execute();
      for (let i = 0; i < chunks.length; i += ROWS_PER_INSERT) {
        const rows = chunks.slice(i, i + ROWS_PER_INSERT).map((c, j) => ({ ingest_id: ingestId, idx: i + j, text: c.text, start: c.start, end: c.end }));
        await trx.insertInto('ingest_chunks').values(rows).execute();
      }
      await trx
        .insertInto('ingest_jobs')
        .values({ ingest_id: ingestId, vault, total: chunks.length, created: new Date().toISOString() })
        .onConflict((oc) => oc.column('ingest_id').doUpdateSet((eb) => ({ vault: eb.ref('excluded.vault'), total: eb.ref('excluded.total'), created: eb.ref('excluded.created') })))
        .execute();
    });
    return chunks.length;
  }

  async read(ingestId: string, from: number, to: number): Promise<{ idx: number; text: string }[]> {
    return this.store.db
      .selectFrom('ingest_chunks')
      .select(['idx', 'text'])
      .where('ingest_id', '=', ingestId)
      .where('idx', '>=', from)
      .where('idx', '<', to)
      .orderBy('idx')
      .execute();
  }

  async remove(ingestId: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ingest_chunks').where('ingest_id', '=', ingestId).execute();
      await trx.deleteFrom('ingest_jobs').where('ingest_id', '=', ingestId).execute();
    });
  }

  async close(): Promise<void> {
    await this.store.release();
  }
}
