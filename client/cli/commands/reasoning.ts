import type { Command } from 'commander';
import type { ReasoningItem, ScoredReasoningItem } from '../../../activities/memory/contracts';
import { CliError, emit } from '../output';
import { memoryBackend } from '../backends/memory';
import { tenantOf, type TenantOption } from './memory';

/** Items `list` shows without --limit (the API's default too), and the most either takes. */
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
/** The most items `search` returns (the API's limit). */
const MAX_SEARCH_LIMIT = 20;

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
    const data = await memoryBackend().listReasoning(tenantOf(opts), limit);
    emit(data, opts, (d) => {
      if (!d.items.length) return 'no reasoning items';
      const more = d.total > d.items.length ? `\n(${d.items.length} of ${d.total}; --limit shows more)` : '';
      return d.items.map(line).join('\n') + more;
    });
  });

  tenantFlag(reasoning.command('show <id>').description('Print one item in full; exits 1 when it does not exist')).action(async (id: string, opts: TenantOption) => {
    const item = await memoryBackend().getReasoning(tenantOf(opts), id);
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
    const items = await memoryBackend().searchReasoning(tenantOf(opts), task, limit);
    emit({ items }, opts, (d) => (d.items.length ? d.items.map(scoredLine).join('\n') : 'no advice for this task'));
  });

  tenantFlag(reasoning.command('delete <id>').description('Delete an item for good (it is no longer advice for any run); exits 1 when it does not exist')).action(
    async (id: string, opts: TenantOption) => {
      const data = await memoryBackend().deleteReasoning(tenantOf(opts), id);
      emit(data, opts, (d) => `deleted ${d.deleted} (${d.item.title})`);
    },
  );
}
