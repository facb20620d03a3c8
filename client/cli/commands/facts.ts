import type { Command } from 'commander';
import type { JsonValue } from '../../../activities/contracts';
import type { Fact } from '../../../activities/memory/contracts';
import { CliError, emit } from '../output';
import { tenantOf, type TenantOption } from './memory';
import { memoryBackend } from '../backends/memory';

function line(f: Fact): string {
  return `${f.key} = ${JSON.stringify(f.value)}  (updated ${f.updated})`;
}

function parseValue(raw: string): JsonValue {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch (err) {
    throw new CliError(`the value ${raw} is not JSON (${(err as Error).message}); quote strings, e.g. '"dark"', or pass '{"tz":"CET"}'`, 2, 'bad_input');
  }
}

export function register(program: Command): void {
  const facts = program.command('facts').description('The Fact Store: (namespace, key) -> JSON value per tenant, loaded into runs with memory mode "facts" or "all"; through the API when PAR_API_KEY is set');
  const tenantFlag = (c: Command) => c.option('--tenant <tenant>', 'tenant whose facts to use (default: $PAR_TENANT or "local")').option('--json', 'print JSON');

  tenantFlag(facts.command('put <namespace> <key> <json>').description('Set a fact (insert or replace); the value is JSON, e.g. \'"dark"\' or \'{"tz":"CET"}\'')).action(
    async (namespace: string, key: string, raw: string, opts: TenantOption) => {
      const value = parseValue(raw);
      const fact = await memoryBackend().putFact(tenantOf(opts), namespace, key, value);
      emit({ fact }, opts, (d) => `${d.fact.namespace}/${d.fact.key} = ${JSON.stringify(d.fact.value)}`);
    },
  );

  tenantFlag(facts.command('get <namespace> <key>').description('Print a fact; exits 1 when it does not exist')).action(async (namespace: string, key: string, opts: TenantOption) => {
    const fact = await memoryBackend().getFact(tenantOf(opts), namespace, key);
    if (!fact) throw new CliError(`no fact "${key}" in namespace "${namespace}"`, 1, 'not_found');
    emit({ fact }, opts, (d) => JSON.stringify(d.fact.value, null, 2));
  });

  tenantFlag(
    facts
      .command('list <namespace>')
      .description('List facts, newest first')
      .option('--prefix <prefix>', 'only keys starting with this')
      .option('--limit <n>', 'most facts (default 50)'),
  ).action(async (namespace: string, opts: TenantOption & { prefix?: string; limit?: string }) => {
    const limit = opts.limit === undefined ? undefined : Number(opts.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new CliError(`--limit must be a positive whole number, got "${opts.limit}"`, 2, 'bad_input');
    const list = await memoryBackend().listFacts(tenantOf(opts), namespace, { prefix: opts.prefix, limit });
    emit({ facts: list }, opts, (d) => (d.facts.length ? d.facts.map(line).join('\n') : 'no facts'));
  });

  tenantFlag(
    facts
      .command('search <query>')
      .description('Facts closest in meaning to the query, in any namespace (cosine >= 0.1 unless --min-similarity)')
      .option('--limit <n>', 'most facts (default 5, at most 100)')
      .option('--min-similarity <x>', 'drop facts below this cosine similarity (default 0.1)'),
  ).action(async (query: string, opts: TenantOption & { limit?: string; minSimilarity?: string }) => {
    const limit = opts.limit === undefined ? 5 : Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliError(`--limit must be a whole number from 1 to 100, got "${opts.limit}"`, 2, 'bad_input');
    const minSimilarity = opts.minSimilarity === undefined ? 0.1 : Number(opts.minSimilarity);
    if (!Number.isFinite(minSimilarity)) throw new CliError(`--min-similarity must be a number, got "${opts.minSimilarity}"`, 2, 'bad_input');
    const found = await memoryBackend().searchFacts(tenantOf(opts), query, { limit, minSimilarity });
    emit({ facts: found }, opts, (d) => (d.facts.length ? d.facts.map((f) => `${f.namespace}/${line(f)}  (${f.similarity.toFixed(3)})`).join('\n') : 'no matching facts'));
  });

  tenantFlag(facts.command('delete <namespace> <key>').description('Delete a fact; exits 1 when it did not exist')).action(async (namespace: string, key: string, opts: TenantOption) => {
    const deleted = await memoryBackend().deleteFact(tenantOf(opts), namespace, key);
    if (!deleted) throw new CliError(`no fact "${key}" in namespace "${namespace}"`, 1, 'not_found');
    emit({ deleted, namespace, key }, opts, () => `deleted ${namespace}/${key}`);
  });
}
