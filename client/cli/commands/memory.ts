import type { Command } from 'commander';
import type { MemoryEntry, ScoredMemoryEntry } from '../../../activities/memory/contracts';
import { CliError, emit } from '../output';
import { memoryBackend } from '../backends/memory';

export interface TenantOption {
  tenant?: string;
  json?: boolean;
}

/** --tenant, else PAR_TENANT, else "local". */
export function tenantOf(opts: TenantOption): string {
  return opts.tenant || process.env.PAR_TENANT || 'local';
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
    const { plan, entry } = await memoryBackend().saveMemory(tenantOf(opts), { content: text, scope: opts.scope, id: opts.id });
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
    const result = await memoryBackend().searchMemories(tenantOf(opts), { query, limit, scopes: opts.scope, minSimilarity });
    emit(result, opts, (r) => (r.entries.length ? r.entries.map(line).join('\n') : 'no matching entries'));
  });

  tenantFlag(
    memory
      .command('list')
      .description('List entries, most recently updated first')
      .option('--scope <scope>', 'only this scope')
      .option('--deleted', 'list the soft-deleted entries (restorable) instead'),
  ).action(async (opts: TenantOption & { scope?: string; deleted?: boolean }) => {
    const entries = await memoryBackend().listMemories(tenantOf(opts), { scope: opts.scope, deleted: opts.deleted });
    emit({ entries }, opts, (d) => (d.entries.length ? d.entries.map(line).join('\n') : opts.deleted ? 'no deleted entries' : 'no entries'));
  });

  tenantFlag(memory.command('delete <id>').description('Soft-delete an entry (restore brings it back)')).action(async (id: string, opts: TenantOption) => {
    const entry = await memoryBackend().deleteMemory(tenantOf(opts), id);
    emit({ entry }, opts, (d) => `deleted ${d.entry.id} (restore with: par memory restore ${d.entry.id})`);
  });

  tenantFlag(memory.command('restore <id>').description('Restore a soft-deleted entry')).action(async (id: string, opts: TenantOption) => {
    const entry = await memoryBackend().restoreMemory(tenantOf(opts), id);
    emit({ entry }, opts, (d) => `restored ${d.entry.id}: ${d.entry.content}`);
  });
}
