import type { Command } from 'commander';
import type { ReasoningItem, ScoredReasoningItem } from '../../../activities/memory/contracts';
import { CliError, emit } from '../output';
import { remoteClient } from '../remote';
import { tenantOf, viaMemoryApi, withMemory, type TenantOption } from './memory';

/** Items `list` shows without --limit (the API's default too), and the most either takes. */
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
/** The most items `search` returns (the API's limit). */
const MAX_SEARCH_LIMIT = 20;

/** A remote call whose "no such item" reads as the local store's not_found (exit 1), like memory and facts. */
async function viaReasoningApi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await viaMemoryApi(fn);
  } catch (err) {
    if (err instanceof CliError && err.code === 'reasoning_item_not_found') throw new CliError(err.message, 1, 'not_found');
    throw err;
  }
}

function limitFlag(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--limit must be a whole number from 1 to ${max}, got "${raw}"`, 2, 'bad_input');
  return n;
}

const conf = (x: number) => x.toFixed(2);

function line(it: ReasoningItem): string {
  return `${it.id}  [confidence ${conf(it.confidence)}]  ${it.title}  (task: ${it.taskSignature})`;
}

function scoredLine(it: ScoredReasoningItem): string {
  return `${it.id}  [score ${it.score.toFixed(3)}: similarity ${it.similarity.toFixed(3)}, confidence ${conf(it.confidence)}]  ${it.title}: ${it.content}`;
}

function details(it: ReasoningItem): string {
  return [
    `${it.id}  ${it.title}`,
    `  confidence:  ${conf(it.confidence)}`,
    `  task:        ${it.taskSignature}`,
    ...(it.description ? [`  description: ${it.description}`] : []),
    `  strategy:    ${it.content}`,
    ...(it.antiPatterns.length ? [`  avoid:       ${it.antiPatterns.join('; ')}`] : []),
    `  evidence:    ${it.evidenceRunIds.join(', ') || 'none'}`,
    `  created ${it.created}, updated ${it.updated}, last used ${it.lastUsed ?? 'never'}`,
  ].join('\n');
}

export function register(program: Command): void {
  const reasoning = program
    .command('reasoning')
    .description(
      'The ReasoningBank: strategies learned from earlier runs (memory mode "reasoning" or "all") and given to similar tasks as advice; inspect, search and delete them. Through the API when PAR_API_KEY is set',
    );
  const tenantFlag = (c: Command) => c.option('--tenant <tenant>', 'tenant whose ReasoningBank to use (default: $PAR_TENANT or "local")').option('--json', 'print JSON');

  tenantFlag(
    reasoning
      .command('list')
      .description('List items, highest confidence first (then most recently updated)')
      .option('--limit <n>', `most items (default ${DEFAULT_LIST_LIMIT}, at most ${MAX_LIST_LIMIT})`),
  ).action(async (opts: TenantOption & { limit?: string }) => {
    const limit = limitFlag(opts.limit, MAX_LIST_LIMIT) ?? DEFAULT_LIST_LIMIT;
    const remote = remoteClient();
    const data = remote
      ? await viaReasoningApi(() => remote.listReasoning(tenantOf(opts), { limit }))
      : await withMemory(async (s) => {
          const all = await s.reasoning.list(tenantOf(opts));
          return { items: all.slice(0, limit), total: all.length };
        });
    emit(data, opts, (d) => {
      if (!d.items.length) return 'no reasoning items';
      const more = d.total > d.items.length ? `\n(${d.items.length} of ${d.total}; --limit shows more)` : '';
      return d.items.map(line).join('\n') + more;
    });
  });

  tenantFlag(reasoning.command('show <id>').description('Print one item in full; exits 1 when it does not exist')).action(async (id: string, opts: TenantOption) => {
    const remote = remoteClient();
    const item = remote ? await viaReasoningApi(() => remote.getReasoning(tenantOf(opts), id)) : await withMemory((s) => s.reasoning.get(tenantOf(opts), id));
    emit({ item }, opts, (d) => details(d.item));
  });

  tenantFlag(
    reasoning
      .command('search <task>')
      .description(
        'The advice a run with this task signature would get: items with confidence >= 0.3 and signature cosine >= 0.3, ranked by 0.75 x cosine + 0.25 x confidence (does not mark them used)',
      )
      .option('--limit <n>', `most items (default 5, the runs' topK; at most ${MAX_SEARCH_LIMIT})`),
  ).action(async (task: string, opts: TenantOption & { limit?: string }) => {
    const limit = limitFlag(opts.limit, MAX_SEARCH_LIMIT);
    if (!task.trim()) throw new CliError('the task must not be blank', 2, 'bad_input');
    const remote = remoteClient();
    const items = remote
      ? (await viaReasoningApi(() => remote.searchReasoning(tenantOf(opts), task, limit === undefined ? {} : { limit }))).items
      : await withMemory((s) => s.reasoning.retrieve(tenantOf(opts), task, limit));
    emit({ items }, opts, (d) => (d.items.length ? d.items.map(scoredLine).join('\n') : 'no advice for this task'));
  });

  tenantFlag(reasoning.command('delete <id>').description('Delete an item for good (it is no longer advice for any run); exits 1 when it does not exist')).action(
    async (id: string, opts: TenantOption) => {
      const remote = remoteClient();
      const data = remote
        ? await viaReasoningApi(() => remote.deleteReasoning(tenantOf(opts), id))
        : await withMemory(async (s) => {
            const item = await s.reasoning.get(tenantOf(opts), id);
            await s.reasoning.delete(tenantOf(opts), [id]);
            return { deleted: id, item };
          });
      emit(data, opts, (d) => `deleted ${d.deleted} (${d.item.title})`);
    },
  );
}
