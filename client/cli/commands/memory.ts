import type { Command } from 'commander';
import type { MemoryEntry, ScoredMemoryEntry } from '../../../activities/memory/contracts';
import { MemoryError } from '../../../activities/memory/errors';
import { createMemoryServices, type MemoryServices } from '../../../activities/memory/services';
import { CliError, emit } from '../output';
import { remoteClient, viaApi } from '../remote';

export interface TenantOption {
  tenant?: string;
  json?: boolean;
}

/** --tenant, else PAR_TENANT, else "local". */
export function tenantOf(opts: TenantOption): string {
  return opts.tenant || process.env.PAR_TENANT || 'local';
}

/** Opens the memory stores in the data folder, runs fn, closes them; memory errors become CLI errors. */
export async function withMemory<T>(fn: (s: MemoryServices) => Promise<T> | T): Promise<T> {
  const services = await createMemoryServices();
  try {
    return await fn(services);
  } catch (err) {
    if (err instanceof MemoryError) {
      const [code, exitCode] = LOCAL_EQUIVALENT[err.code];
      throw new CliError(err.message, exitCode, code);
    }
    throw err;
  } finally {
    await services.close();
  }
}

/** The API's codes for what the local stores report as not_found / bad_input / conflict (same exit codes and error codes). */
const LOCAL_EQUIVALENT: Record<string, [string, number]> = {
  memory_not_found: ['not_found', 1],
  fact_not_found: ['not_found', 1],
  invalid_input: ['bad_input', 2],
  conflict: ['conflict', 1],
};

/**
 * Runs a remote memory or facts call (viaApi), reporting the failures the local stores also have
 * with their local error code and exit code, so scripts see the same in both modes; the message
 * keeps the server's code.
 */
export async function viaMemoryApi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await viaApi(fn);
  } catch (err) {
    const local = err instanceof CliError ? LOCAL_EQUIVALENT[err.code] : undefined;
    if (local) throw new CliError(err instanceof Error ? err.message : String(err), local[1], local[0]);
    throw err;
  }
}

function positiveInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a positive whole number, got "${raw}"`, 2, 'bad_input');
  return n;
}

function line(e: MemoryEntry | ScoredMemoryEntry): string {
  const score = 'similarity' in e ? ` (${e.similarity.toFixed(3)})` : '';
  const deleted = e.deleted ? ` [deleted ${e.deleted}]` : '';
  return `${e.id}  [${e.scope}]${score}${deleted}  ${e.content}`;
}

export function register(program: Command): void {
  const memory = program
    .command('memory')
    .description('The Memory Vault: curated facts saved for a tenant (the same entries the memory_vault_* model tools use); through the API when PAR_API_KEY is set');

  const tenantFlag = (c: Command) => c.option('--tenant <tenant>', 'tenant whose memory to use (default: $PAR_TENANT or "local")').option('--json', 'print JSON');

  tenantFlag(
    memory
      .command('save <text>')
      .description('Save a fact: updates the entry with --id; without it adds, or updates the entry on the same topic (cosine >= 0.8)')
      .option('--scope <scope>', 'scope of a new entry (default "private"); with --id, moves the entry')
      .option('--id <id>', 'update this entry (an unknown id is an error)'),
  ).action(async (text: string, opts: TenantOption & { scope?: string; id?: string }) => {
    const remote = remoteClient();
    const { plan, entry } = remote
      ? await viaMemoryApi(() => remote.saveMemory(tenantOf(opts), { content: text, ...(opts.scope ? { scope: opts.scope } : {}), ...(opts.id ? { id: opts.id } : {}) }))
      : await withMemory((s) => s.vault.save({ tenant: tenantOf(opts), content: text, scope: opts.scope, id: opts.id }));
    const data = { action: plan.action, entry, ...(plan.previousContent !== undefined ? { previousContent: plan.previousContent } : {}), ...(plan.matchedSimilarity !== undefined ? { matchedSimilarity: plan.matchedSimilarity } : {}) };
    emit(data, opts, (d) =>
      d.action === 'add'
        ? `added ${d.entry.id} [${d.entry.scope}]`
        : `updated ${d.entry.id} [${d.entry.scope}]${d.matchedSimilarity !== undefined ? ` (same topic, similarity ${d.matchedSimilarity.toFixed(3)})` : ''}\n  was: ${d.previousContent}\n  now: ${d.entry.content}`,
    );
  });

  tenantFlag(
    memory
      .command('search <query>')
      .description('Search entries by meaning (cosine >= 0.1 unless --min-similarity)')
      .option('--limit <n>', 'most results (default 5, at most 20)')
      .option('--scope <scope...>', 'only these scopes (default: all)')
      .option('--min-similarity <x>', 'drop results below this cosine similarity (default 0.1)'),
  ).action(async (query: string, opts: TenantOption & { limit?: string; scope?: string[]; minSimilarity?: string }) => {
    const minSimilarity = opts.minSimilarity === undefined ? undefined : Number(opts.minSimilarity);
    if (minSimilarity !== undefined && !Number.isFinite(minSimilarity)) throw new CliError(`--min-similarity must be a number, got "${opts.minSimilarity}"`, 2, 'bad_input');
    const limit = positiveInt('--limit', opts.limit);
    const remote = remoteClient();
    const result = remote
      ? // The API takes a limit of at most 20; the local store also returns at most 20 (its default cap) for a larger one.
        await viaMemoryApi(() => remote.searchMemories(tenantOf(opts), { query, limit: limit === undefined ? undefined : Math.min(limit, 20), scopes: opts.scope, minSimilarity }))
      : await withMemory((s) => s.vault.search({ tenant: tenantOf(opts), query, limit, scopes: opts.scope, minSimilarity }));
    emit(result, opts, (r) => (r.entries.length ? r.entries.map(line).join('\n') : 'no matching entries'));
  });

  tenantFlag(
    memory
      .command('list')
      .description('List entries, most recently updated first')
      .option('--scope <scope>', 'only this scope')
      .option('--deleted', 'list the soft-deleted entries (restorable) instead'),
  ).action(async (opts: TenantOption & { scope?: string; deleted?: boolean }) => {
    const remote = remoteClient();
    const entries = remote
      ? (await viaMemoryApi(() => remote.listMemories(tenantOf(opts), { scope: opts.scope, deleted: opts.deleted }))).entries
      : await withMemory((s) => s.vault.list({ tenant: tenantOf(opts), scope: opts.scope, deleted: opts.deleted }));
    emit({ entries }, opts, (d) => (d.entries.length ? d.entries.map(line).join('\n') : opts.deleted ? 'no deleted entries' : 'no entries'));
  });

  tenantFlag(memory.command('delete <id>').description('Soft-delete an entry (restore brings it back)')).action(async (id: string, opts: TenantOption) => {
    const remote = remoteClient();
    const entry = remote ? await viaMemoryApi(() => remote.deleteMemory(tenantOf(opts), id)) : await withMemory((s) => s.vault.delete({ tenant: tenantOf(opts), id }));
    emit({ entry }, opts, (d) => `deleted ${d.entry.id} (restore with: par memory restore ${d.entry.id})`);
  });

  tenantFlag(memory.command('restore <id>').description('Restore a soft-deleted entry')).action(async (id: string, opts: TenantOption) => {
    const remote = remoteClient();
    const entry = remote ? await viaMemoryApi(() => remote.restoreMemory(tenantOf(opts), id)) : await withMemory((s) => s.vault.restore({ tenant: tenantOf(opts), id }));
    emit({ entry }, opts, (d) => `restored ${d.entry.id}: ${d.entry.content}`);
  });
}
