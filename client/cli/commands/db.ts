import type { Command } from 'commander';
import { DatabaseError, databaseTarget, STORE_GROUPS, type StoreGroup } from '../../../activities/db';
import { migrate, schemaStatus, type SchemaStatus } from '../../../activities/db/migrate';
import { openDatabase, type DatabaseHandle } from '../../../activities/db/open';
import { CliError, emit } from '../output';
import { progressBar } from '../progress-bar';

/** Runs fn on each store group's database (one PostgreSQL database, or one SQLite file per group). */
async function eachGroup<T>(fn: (db: DatabaseHandle, group: StoreGroup) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const group of STORE_GROUPS) {
    let db: DatabaseHandle;
    try {
      db = await openDatabase(databaseTarget(group));
    } catch (err) {
      throw asCliError(err);
    }
    try {
      out.push(await fn(db, group));
    } catch (err) {
      throw asCliError(err);
    } finally {
      await db.release();
    }
  }
  return out;
}

function asCliError(err: unknown): unknown {
  if (err instanceof DatabaseError) return new CliError(err.message, err.code === 'bad_url' ? 2 : 1, err.code);
  return err;
}

function kindOf(): 'postgres' | 'sqlite' {
  return process.env.PAR_DATABASE_URL?.trim() ? 'postgres' : 'sqlite';
}

function statusLine(s: SchemaStatus): string {
  const state =
    s.state === 'current'
      ? `up to date (${s.applied.length} migrations)`
      : s.state === 'pending'
        ? `${s.pending.length} pending: ${s.pending.join(', ')}`
        : `NEWER than this PAR (unknown: ${s.unknown.join(', ')})`;
  return `${s.group.padEnd(7)} ${state}  [${s.where}]`;
}

export function register(program: Command): void {
  const db = program
    .command('db')
    .description(
      'The relational stores\' database: PostgreSQL when PAR_DATABASE_URL is set, else SQLite files in the data folder. Schemas change only through versioned migrations',
    );

  db.command('status')
    .description('Show, per store group (memory, vaults, keys), the applied and pending migrations and whether the database is newer than this PAR')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const groups = await eachGroup((h, group) => schemaStatus(h, group));
      emit({ database: kindOf(), groups }, opts, (d) => [`database: ${d.database}`, ...d.groups.map(statusLine)].join('\n'));
    });

  db.command('migrate')
    .description('Apply every pending migration (safe to run while workers and APIs run, and from several hosts at once)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const groups = await eachGroup(async (h, group) => ({ group, where: h.where, applied: await migrate(h, group) }));
      emit({ database: kindOf(), groups }, opts, (d) =>
        d.groups.map((g) => `${g.group.padEnd(7)} ${g.applied.length ? `applied ${g.applied.join(', ')}` : 'already up to date'}  [${g.where}]`).join('\n'),
      );
    });

  db.command('reembed')
    .description(
      'After a change of local embedding model (PAR_LOCAL_EMBEDDING_MODEL): copy vault items and memory into the new model\'s collections, re-embedded from their stored text. The worker does this in the background at start; this runs it now, with progress. The earlier collections stay',
    )
    .option('--json', 'print JSON')
    .option('--wait', 'when another process (a worker, on this host or another) is re-embedding, wait for it and take over if it stops, instead of failing')
    .action(async (opts: { json?: boolean; wait?: boolean }) => {
      // Loaded here: the model and the stores are heavy, and `par db status` needs neither.
      const { memoryReindexers, reembedStoresExclusively } = require('../../../activities/embeddings/model-change') as typeof import('../../../activities/embeddings/model-change');
      const { LeaseHeldError, LeaseStore } = require('../../../activities/db/leases') as typeof import('../../../activities/db/leases');
      const { createMemoryServices } = require('../../../activities/memory/services') as typeof import('../../../activities/memory/services');
      const memory = await createMemoryServices();
      const leases = await LeaseStore.open().catch((err: unknown) => {
        throw asCliError(err);
      });
      try {
        const bars = new Map<string, (done: number, total: number) => void>();
        let told = false;
        const results = await reembedStoresExclusively({
          store: memory.vectorStore,
          embedder: memory.embedder,
          leases,
          onHeld: opts.wait
            ? (held) => {
                if (!told && !opts.json) process.stderr.write(`waiting: ${held.message}\n`);
                told = true;
              }
            : undefined,
          reindex: memoryReindexers(async () => memory),
          onProgress: (kind, p) => {
            if (!bars.has(kind)) bars.set(kind, progressBar(`${kind} from ${p.from}`, !opts.json, 'records'));
            bars.get(kind)!(p.done, p.total);
          },
        }).catch((err: unknown) => {
          if (err instanceof LeaseHeldError) throw new CliError(`re-embedding is already running: ${err.message}. Pass --wait to wait for it.`, 1, err.code);
          throw err;
        });
        emit({ model: memory.embedder.model, stores: results }, opts, (d) =>
          [
            `embedding model: ${d.model}`,
            ...d.stores.map((r) =>
              r.from
                ? `${r.kind.padEnd(20)} ${r.copied} records re-embedded from ${r.from}${r.reindexed ? `, ${r.reindexed} items from the database` : ''}`
                : `${r.kind.padEnd(20)} nothing to re-embed (no earlier model's collection, or already done)`,
            ),
          ].join('\n'),
        );
      } finally {
        await leases.close();
        await memory.close();
      }
    });
}
