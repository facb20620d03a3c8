// `par vault`: the commands. What they read from the command line and how they print is in vault-args.ts.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { JsonValue, ScoredVaultItem, VaultItem } from '../../../activities/contracts';
import type { VaultExport } from '../../sdk';
import { CliError, emit, parseJsonArg } from '../output';
import { LARGE_INPUT_CHARS, vaultBackend } from '../backends/vaults';
import { collect, filterArg, formatHits, formatItems, parseJsonOrText, parseMeta, parseN, parseVaultsArg, readInput } from './vault-args';

export { parseVaultsArg };

interface JsonOpt {
  json?: boolean;
}

export function register(program: Command): void {
  const vault = program.command('vault').description('Knowledge vaults: add, search, edit and export text by meaning (through the API when PAR_API_KEY is set)');

  vault
    .command('add <vault> <file>')
    .description(`Add a file (or - for stdin) to a vault, split into sentence-aware chunks. Inputs of ${LARGE_INPUT_CHARS.toLocaleString('en')}+ characters run as a durable ingest workflow when a worker is reachable`)
    .option('--meta <key=value>', 'metadata for every chunk (repeatable)', collect)
    .option('--local', 'always embed in this process, even for large inputs')
    .option('--workflow', 'always use the ingest workflow (fails when no worker is reachable)')
    .option('--json', 'print JSON (and no progress bar)')
    .action(async (name: string, source: string, opts: JsonOpt & { meta?: string[]; local?: boolean; workflow?: boolean }) => {
      const text = readInput(source);
      if (text.trim() === '') throw new CliError(`${source === '-' ? 'stdin' : source} is empty: nothing to add to vault ${name}`, 2, 'empty_text');
      const metadata = parseMeta(opts.meta);
      const showProgress = !opts.json;
      const added = await vaultBackend().add(name, text, metadata, { local: opts.local, workflow: opts.workflow, showProgress });
      emit(added, opts, (d) =>
        d.via === 'workflow' ? `added ${d.chunks} chunks to ${d.vault} (ingest workflow ${d.ingestId})` : `added ${d.chunks} item(s) to ${d.vault}: ${d.ids.slice(0, 5).join(', ')}${d.ids.length > 5 ? ', …' : ''}`,
      );
    });

  vault
    .command('search <vault> <text>')
    .description('The items of one vault closest in meaning to text')
    .option('-n <n>', 'how many results', '4')
    .option('--filter <json>', 'metadata that must match exactly, e.g. \'{"lang":"en"}\'')
    .option('--no-hybrid', 'rank by meaning only (default: meaning fused with keyword (BM25) ranking)')
    .option('--no-rerank', 'keep the store\'s order when a cross-encoder is configured (PAR_RERANK_MODEL)')
    .option('--json', 'print JSON')
    .action(async (name: string, text: string, opts: JsonOpt & { n?: string; filter?: string; hybrid?: boolean; rerank?: boolean }) => {
      const items = await vaultBackend().search(name, text, { n: parseN(opts.n, 4), filter: filterArg(opts.filter), hybrid: opts.hybrid, rerank: opts.rerank });
      emit({ vault: name, query: text, items }, opts, (d) => formatHits(d.items));
    });

  vault
    .command('search-many <text>')
    .description('Search several vaults: "a,b" = global top n; "a=2,b=1,c" = per-vault minimums first (bare name = fill only), then fill by score')
    .requiredOption('--vaults <list>', 'e.g. legal=3,tickets=2,eng')
    .option('-n <n>', 'how many results in all', '4')
    .option('--filter <json>', 'metadata that must match exactly')
    .option('--json', 'print JSON')
    .action(async (text: string, opts: JsonOpt & { vaults: string; n?: string; filter?: string }) => {
      const vaults = parseVaultsArg(opts.vaults);
      const human = (d: { items: ScoredVaultItem[]; shortfalls: { vault: string; wanted: number; got: number }[] }) =>
        [formatHits(d.items), ...d.shortfalls.map((s) => `note: vault ${s.vault} has ${s.got} of the ${s.wanted} results asked for`)].join('\n');
      const res = await vaultBackend().searchMany(text, vaults, { n: parseN(opts.n, 4), filter: filterArg(opts.filter) });
      emit({ query: text, ...res }, opts, human);
    });

  vault
    .command('items <vault> [ids...]')
    .description('List a vault\'s items (a page at a time), or get the items with the given ids')
    .option('--limit <n>', 'items per page', '50')
    .option('--cursor <cursor>', 'the cursor printed by the previous page')
    .option('--json', 'print JSON')
    .action(async (name: string, ids: string[], opts: JsonOpt & { limit?: string; cursor?: string }) => {
      const showItems = (res: { items: VaultItem[]; missing: string[] }) => {
        emit(res, opts, (d) => [formatItems(d.items), ...d.missing.map((m) => `not found: ${m}`)].join('\n'));
        if (res.missing.length) process.exitCode = 3;
      };
      const showPage = (page: { vault: string; total: number; items: VaultItem[]; cursor?: string }) =>
        emit(page, opts, (d) => `${formatItems(d.items)}\n${d.total} item(s) in ${d.vault}${d.cursor ? `; next page: --cursor ${d.cursor}` : ''}`);
      const limit = parseN(opts.limit, 50);
      const vaults = vaultBackend();
      if (ids.length) return showItems(await vaults.getItems(name, ids));
      showPage(await vaults.page(name, { limit, cursor: opts.cursor }));
    });

  vault
    .command('count <vault>')
    .description('How many items a vault holds')
    .option('--filter <json>', 'count only items whose metadata matches')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: JsonOpt & { filter?: string }) => {
      emit({ vault: name, count: await vaultBackend().count(name, filterArg(opts.filter)) }, opts, (d) => String(d.count));
    });

  vault
    .command('edit <vault> <id>')
    .description('Replace an item\'s text (it is re-embedded) and/or merge metadata into it')
    .option('--text <text>', 'the new text')
    .option('--text-file <file>', 'read the new text from a file (- for stdin)')
    .option('--meta <key=value>', 'set a metadata field (repeatable)', collect)
    .option('--unset <key>', 'remove a metadata field (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, id: string, opts: JsonOpt & { text?: string; textFile?: string; meta?: string[]; unset?: string[] }) => {
      const text = opts.textFile !== undefined ? readInput(opts.textFile) : opts.text;
      const patch: Record<string, JsonValue> = { ...parseMeta(opts.meta) };
      for (const k of opts.unset ?? []) patch[k] = null;
      if (text === undefined && Object.keys(patch).length === 0) throw new CliError('nothing to edit: give --text, --text-file, --meta or --unset', 2, 'bad_input');
      emit(await vaultBackend().edit(name, id, text, patch), opts, (d) => `updated ${d.vault}/${d.id}`);
    });

  vault
    .command('delete <vault> [ids...]')
    .description('Delete items by id, or the whole vault (items and settings) with --all')
    .option('--all', 'delete the vault itself')
    .option('--json', 'print JSON')
    .action(async (name: string, ids: string[], opts: JsonOpt & { all?: boolean }) => {
      if (!opts.all && ids.length === 0) throw new CliError('name the item ids to delete, or pass --all to delete the vault', 2, 'bad_input');
      if (opts.all && ids.length) throw new CliError('give item ids or --all, not both', 2, 'bad_input');
      const showDeleted = (res: { vault: string; deleted: string[]; missing: string[] }) => {
        emit(res, opts, (d) => [`deleted ${d.deleted.length} item(s)`, ...d.missing.map((m) => `not found: ${m}`)].join('\n'));
        if (res.missing.length) process.exitCode = 3;
      };
      const vaults = vaultBackend();
      if (opts.all) return emit({ vault: name, ...(await vaults.deleteVault(name)) }, opts, (d) => `deleted vault ${d.vault} (${d.deletedItems} items)`);
      showDeleted({ vault: name, ...(await vaults.deleteItems(name, ids)) });
    });

  vault
    .command('list')
    .description('List vaults with their item counts')
    .option('--json', 'print JSON')
    .action(async (opts: JsonOpt) => {
      const show = (vaults: { name: string; items: number }[]) => emit({ vaults }, opts, (d) => (d.vaults.length ? d.vaults.map((v) => `${v.name}  ${v.items}`).join('\n') : '(no vaults)'));
      show(await vaultBackend().listVaults());
    });

  vault
    .command('settings <vault>')
    .description('Show or change a vault\'s personality and prompt template ({context} and {content} placeholders)')
    .option('--personality <text>', 'set the personality')
    .option('--prompt-template <text>', 'set the prompt template')
    .option('--clear-personality', 'remove the personality')
    .option('--clear-prompt-template', 'remove the prompt template')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: JsonOpt & { personality?: string; promptTemplate?: string; clearPersonality?: boolean; clearPromptTemplate?: boolean }) => {
      const settings = await vaultBackend().settings(name, {
        personality: opts.clearPersonality ? null : opts.personality,
        promptTemplate: opts.clearPromptTemplate ? null : opts.promptTemplate,
      });
      emit({ vault: name, ...settings }, opts, (d) => `personality: ${d.personality ?? '(none)'}\nprompt template: ${d.promptTemplate ?? '(none)'}`);
    });

  vault
    .command('export <vault>')
    .description('Write a vault (items, metadata, dates, settings) as JSON to stdout or --out')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--json', 'accepted for symmetry: the export is JSON')
    .action(async (name: string, opts: JsonOpt & { out?: string }) => {
      const write = (dump: VaultExport) => {
        const text = `${JSON.stringify(dump, null, 2)}\n`;
        if (opts.out) {
          fs.writeFileSync(opts.out, text);
          process.stderr.write(`exported ${dump.items.length} item(s) of ${name} to ${opts.out}\n`);
        } else process.stdout.write(text);
      };
      write(await vaultBackend().exportVault(name));
    });

  vault
    .command('import <file>')
    .description('Import a vault export (file or - for stdin); items keep their ids and dates and are re-embedded')
    .option('--vault <name>', 'import into this vault instead of the exported name')
    .option('--json', 'print JSON')
    .action(async (source: string, opts: JsonOpt & { vault?: string }) => {
      const data = parseJsonArg(source === '-' ? 'stdin' : source, readInput(source));
      const show = (res: { vault: string; imported: number }) => emit(res, opts, (d) => `imported ${d.imported} item(s) into ${d.vault}`);
      show(await vaultBackend().importVault(data, opts.vault, !opts.json));
    });

  vault
    .command('kv <op> <namespace> <key> [value]')
    .description('Key-value storage (the Storage node): get | set | delete; a set value is JSON or plain text')
    .option('--json', 'print JSON')
    .action(async (op: string, namespace: string, key: string, value: string | undefined, opts: JsonOpt) => {
      if (!['get', 'set', 'delete'].includes(op)) throw new CliError(`kv op must be get, set or delete, got ${op}`, 2, 'bad_input');
      if (op === 'set' && value === undefined) throw new CliError('kv set needs a value', 2, 'bad_input');
      const res = await vaultBackend().kv(op as 'get' | 'set' | 'delete', namespace, key, op === 'set' ? parseJsonOrText(value!) : undefined);
      emit(res, opts, (d) => (d.found ? (d.value === undefined ? 'deleted' : JSON.stringify(d.value)) : '(not found)'));
      if (!res.found) process.exitCode = 3;
    });
}
