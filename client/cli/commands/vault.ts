import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { JsonValue, ScoredVaultItem, VaultItem } from '../../../activities/contracts';
import { EmbeddingModelMissingError } from '../../../activities/embeddings/model-files';
import { EmbedderConfigError } from '../../../activities/embeddings';
import { VectorStoreError } from '../../../activities/vectors/errors';
import { createVaultService, VaultError, type VaultService } from '../../../activities/vaults';
import type { VaultIngestInput, VaultIngestProgress, VaultIngestResult } from '../../../activities/vaults/ingest-types';
import { loadConfig } from '../../../workers/config';
import { connectClient } from '../../temporal';
import { ParApiError, type VaultExport } from '../../sdk';
import { CliError, emit, parseJsonArg } from '../output';
import { progressBar } from '../progress-bar';
import { remoteClient, viaApi } from '../remote';
import { addRemotely, countRemotely, getItemsRemotely, importRemotely, notRemote } from './vault-remote';

/** Inputs at least this long go through the ingest workflow when a worker is reachable. */
const LARGE_INPUT_CHARS = 200_000;

interface JsonOpt {
  json?: boolean;
}

/** Opens the vault service for one command, maps typed failures to CLI errors, and closes it. */
async function withService<T>(fn: (svc: VaultService) => Promise<T>): Promise<T> {
  let svc: VaultService | undefined;
  try {
    svc = await createVaultService();
    return await fn(svc);
  } catch (err) {
    if (err instanceof VaultError || err instanceof VectorStoreError) throw new CliError(err.message, 2, err.code);
    if (err instanceof EmbeddingModelMissingError || err instanceof EmbedderConfigError) throw new CliError(err.message, 1, 'embedder');
    throw err;
  } finally {
    await svc?.close();
  }
}

function readInput(source: string): string {
  if (source === '-') return fs.readFileSync(0, 'utf8');
  if (!fs.existsSync(source)) throw new CliError(`file ${source} does not exist`, 2, 'bad_input');
  return fs.readFileSync(source, 'utf8');
}

function parseScalar(raw: string): JsonValue {
  try {
    const v = JSON.parse(raw) as JsonValue;
    if (typeof v !== 'object' || v === null) return v;
  } catch {
    // not JSON: plain text
  }
  return raw;
}

function parseJsonOrText(raw: string): JsonValue {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
}

/** --meta k=v (repeatable); values that read as JSON numbers/booleans/null become those. */
function parseMeta(pairs: string[] | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--meta ${pair} is not key=value`, 2, 'bad_input');
    out[pair.slice(0, eq)] = parseScalar(pair.slice(eq + 1));
  }
  return out;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function parseN(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`-n must be a positive integer, got ${raw}`, 2, 'bad_input');
  return n;
}

/** "legal=3,tickets=2,eng": a plain list when no minimum is given, else a map (bare name = fill only). */
export function parseVaultsArg(raw: string): string[] | Record<string, number | null> {
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new CliError('--vaults names no vault', 2, 'bad_input');
  if (!parts.some((p) => p.includes('='))) return parts;
  const map: Record<string, number | null> = {};
  for (const p of parts) {
    const [name, min] = p.split('=');
    if (min === undefined) map[name!] = null;
    else {
      const n = Number(min);
      if (!Number.isInteger(n) || n < 0) throw new CliError(`--vaults ${p}: the minimum must be a non-negative integer`, 2, 'bad_input');
      map[name!] = n;
    }
  }
  return map;
}

function filterArg(raw: string | undefined): Record<string, JsonValue> | undefined {
  if (raw === undefined) return undefined;
  const f = parseJsonArg('--filter', raw);
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new CliError('--filter must be a JSON object, e.g. \'{"lang":"en"}\'', 2, 'bad_input');
  return f as Record<string, JsonValue>;
}

function short(text: string, max = 100): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function formatHits(items: ScoredVaultItem[]): string {
  if (items.length === 0) return '(no results)';
  return items.map((i) => `${i.score.toFixed(3)}  ${i.vault}/${i.id}  ${short(i.text)}`).join('\n');
}

function formatItems(items: VaultItem[]): string {
  if (items.length === 0) return '(no items)';
  return items.map((i) => `${i.id}  ${i.updated}  ${short(i.text)}${Object.keys(i.metadata).length ? `  ${JSON.stringify(i.metadata)}` : ''}`).join('\n');
}

/** Runs the ingest workflow if a worker polls the task queue; undefined when none is reachable. */
async function ingestThroughWorker(vault: string, text: string, metadata: Record<string, JsonValue>, showProgress: boolean): Promise<VaultIngestResult | undefined> {
  const config = loadConfig();
  let client;
  try {
    client = await connectClient(config, 2000);
  } catch {
    return undefined;
  }
  try {
    const tq = await client.workflowService.describeTaskQueue({
      namespace: config.temporalNamespace,
      taskQueue: { name: config.taskQueue },
      taskQueueType: 2, // activity pollers: someone must be able to embed
    });
    if (!tq.pollers?.length) return undefined;
    const ingestId = `ingest-${randomUUID()}`;
    // The worker reads the document from the shared data folder, so history carries only its path.
    const file = path.join(config.dataDir, 'ingest', `${ingestId}.txt`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const input: VaultIngestInput = { ingestId, vault, source: { file }, metadata };
    const handle = await client.workflow.start('vaultIngestWorkflow', { taskQueue: config.taskQueue, workflowId: ingestId, args: [input] });
    const bar = progressBar(`${vault}:`, showProgress);
    let settled = false;
    const result = handle.result().finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 500));
      if (settled) break;
      const p = await handle.query<VaultIngestProgress>('vaultIngestProgress').catch(() => undefined);
      if (p && p.total > 0) bar(p.done, p.total);
    }
    const out = (await result) as VaultIngestResult;
    bar(out.chunks, out.chunks);
    return out;
  } finally {
    await client.connection.close();
  }
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
      const remote = remoteClient();
      if (remote) {
        if (opts.local) throw notRemote('par vault add --local', 'way to embed in this process (the server embeds what it is sent)');
        if (opts.workflow) throw notRemote('par vault add --workflow', 'endpoint that starts the ingest workflow (large inputs are sent in several requests instead)');
        const ids = await addRemotely(remote, name, text, metadata, showProgress);
        emit({ vault: name, via: 'api', ids, chunks: ids.length }, opts, (d) => `added ${d.chunks} item(s) to ${d.vault}: ${d.ids.slice(0, 5).join(', ')}${d.ids.length > 5 ? ', …' : ''}`);
        return;
      }
      if (!opts.local && (opts.workflow || text.length >= LARGE_INPUT_CHARS)) {
        const res = await ingestThroughWorker(name, text, metadata, showProgress);
        if (res) {
          emit({ vault: name, via: 'workflow', ingestId: res.ingestId, chunks: res.chunks }, opts, (d) => `added ${d.chunks} chunks to ${d.vault} (ingest workflow ${d.ingestId})`);
          return;
        }
        if (opts.workflow) throw new CliError('no PAR worker is reachable for the ingest workflow: start the stack with `npm start`, or drop --workflow', 1, 'no_worker');
      }
      await withService(async (svc) => {
        const items = await svc.add(name, text, metadata, progressBar(`${name}:`, showProgress && text.length >= 20_000));
        emit({ vault: name, via: 'local', ids: items.map((i) => i.id), chunks: items.length }, opts, (d) => `added ${d.chunks} item(s) to ${d.vault}: ${d.ids.slice(0, 5).join(', ')}${d.ids.length > 5 ? ', …' : ''}`);
      });
    });

  vault
    .command('search <vault> <text>')
    .description('The items of one vault closest in meaning to text')
    .option('-n <n>', 'how many results', '4')
    .option('--filter <json>', 'metadata that must match exactly, e.g. \'{"lang":"en"}\'')
    .option('--no-hybrid', 'rank by meaning only (default: meaning fused with keyword (BM25) ranking)')
    .option('--json', 'print JSON')
    .action(async (name: string, text: string, opts: JsonOpt & { n?: string; filter?: string; hybrid?: boolean }) => {
      const remote = remoteClient();
      if (remote) {
        if (opts.hybrid === false) throw notRemote('par vault search --no-hybrid', 'meaning-only ranking in its search endpoint (it always fuses keywords)');
        const n = parseN(opts.n, 4);
        const filter = filterArg(opts.filter);
        const res = await viaApi(() => remote.search(name, text, { n, ...(filter ? { filter } : {}) }));
        emit({ vault: name, query: text, items: res.items }, opts, (d) => formatHits(d.items));
        return;
      }
      await withService(async (svc) => {
        const items = await svc.getSimilar(name, text, { n: parseN(opts.n, 4), filter: filterArg(opts.filter), hybrid: opts.hybrid });
        emit({ vault: name, query: text, items }, opts, (d) => formatHits(d.items));
      });
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
      const remote = remoteClient();
      if (remote) {
        const n = parseN(opts.n, 4);
        const filter = filterArg(opts.filter);
        const res = await viaApi(() => remote.searchVaults(text, vaults, { n, ...(filter ? { filter } : {}) }));
        emit({ query: text, items: res.items, shortfalls: res.shortfalls ?? [] }, opts, human);
        return;
      }
      await withService(async (svc) => {
        const res = await svc.getSimilarFromVaults(text, vaults, { n: parseN(opts.n, 4), filter: filterArg(opts.filter) });
        emit({ query: text, ...res }, opts, human);
      });
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
      const remote = remoteClient();
      if (remote) {
        if (ids.length) return showItems(await getItemsRemotely(remote, name, ids));
        const page = await viaApi(() => remote.listItems(name, { limit, cursor: opts.cursor }));
        const total = await countRemotely(remote, name);
        return showPage({ vault: name, total, ...page });
      }
      await withService(async (svc) => {
        if (ids.length) return showItems(await svc.getItems(name, ids));
        const page = await svc.listItems(name, { limit, cursor: opts.cursor });
        const total = await svc.count(name);
        showPage({ vault: name, total, ...page });
      });
    });

  vault
    .command('count <vault>')
    .description('How many items a vault holds')
    .option('--filter <json>', 'count only items whose metadata matches')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: JsonOpt & { filter?: string }) => {
      const remote = remoteClient();
      if (remote) {
        if (opts.filter !== undefined) throw notRemote('par vault count --filter', 'endpoint that counts the items matching a filter');
        emit({ vault: name, count: await countRemotely(remote, name) }, opts, (d) => String(d.count));
        return;
      }
      await withService(async (svc) => emit({ vault: name, count: await svc.count(name, filterArg(opts.filter)) }, opts, (d) => String(d.count)));
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
      const remote = remoteClient();
      if (remote) {
        if (text !== undefined && text.trim() === '') throw new CliError(`new text for item ${id} in vault ${name} is empty`, 2, 'empty_text');
        const item = await viaApi(() => remote.editItem(name, id, { ...(text !== undefined ? { text } : {}), ...(Object.keys(patch).length ? { metadata: patch } : {}) }));
        emit(item, opts, (d) => `updated ${d.vault}/${d.id}`);
        return;
      }
      await withService(async (svc) => {
        let item = text !== undefined ? await svc.editText(name, id, text) : undefined;
        if (Object.keys(patch).length) item = await svc.editMetadata(name, id, patch);
        emit(item!, opts, (d) => `updated ${d.vault}/${d.id}`);
      });
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
      const remote = remoteClient();
      if (remote) {
        if (opts.all) throw notRemote('par vault delete --all', 'endpoint that deletes a whole vault (delete its items by id instead)');
        const deleted: string[] = [];
        const missing: string[] = [];
        for (const id of ids) {
          const gone = await viaApi(() => remote.deleteItem(name, id).then(
            () => true,
            (err: unknown) => (err instanceof ParApiError && err.code === 'item_not_found' ? false : Promise.reject(err)),
          ));
          (gone ? deleted : missing).push(id);
        }
        return showDeleted({ vault: name, deleted, missing });
      }
      await withService(async (svc) => {
        if (opts.all) {
          const res = await svc.deleteVault(name);
          emit({ vault: name, ...res }, opts, (d) => `deleted vault ${d.vault} (${d.deletedItems} items)`);
          return;
        }
        showDeleted({ vault: name, ...(await svc.deleteItems(name, ids)) });
      });
    });

  vault
    .command('list')
    .description('List vaults with their item counts')
    .option('--json', 'print JSON')
    .action(async (opts: JsonOpt) => {
      const show = (vaults: { name: string; items: number }[]) => emit({ vaults }, opts, (d) => (d.vaults.length ? d.vaults.map((v) => `${v.name}  ${v.items}`).join('\n') : '(no vaults)'));
      const remote = remoteClient();
      // Remotely: the vaults the key may read.
      if (remote) return show((await viaApi(() => remote.listVaults())).vaults);
      await withService(async (svc) => show(await svc.listVaults()));
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
      if (remoteClient()) throw notRemote('par vault settings', 'endpoint that reads or changes vault settings');
      await withService(async (svc) => {
        const patch = {
          personality: opts.clearPersonality ? null : opts.personality,
          promptTemplate: opts.clearPromptTemplate ? null : opts.promptTemplate,
        };
        const changed = patch.personality !== undefined || patch.promptTemplate !== undefined;
        const settings = changed ? await svc.updateSettings(name, patch) : await svc.getSettings(name);
        emit({ vault: name, ...settings }, opts, (d) => `personality: ${d.personality ?? '(none)'}\nprompt template: ${d.promptTemplate ?? '(none)'}`);
      });
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
      const remote = remoteClient();
      if (remote) return write(await viaApi(() => remote.exportVault(name)));
      await withService(async (svc) => write(await svc.exportVault(name)));
    });

  vault
    .command('import <file>')
    .description('Import a vault export (file or - for stdin); items keep their ids and dates and are re-embedded')
    .option('--vault <name>', 'import into this vault instead of the exported name')
    .option('--json', 'print JSON')
    .action(async (source: string, opts: JsonOpt & { vault?: string }) => {
      const data = parseJsonArg(source === '-' ? 'stdin' : source, readInput(source));
      const show = (res: { vault: string; imported: number }) => emit(res, opts, (d) => `imported ${d.imported} item(s) into ${d.vault}`);
      const remote = remoteClient();
      if (remote) return show(await importRemotely(remote, data, opts.vault, !opts.json));
      await withService(async (svc) => show(await svc.importVault(data, opts.vault)));
    });

  vault
    .command('kv <op> <namespace> <key> [value]')
    .description('Key-value storage (the Storage node): get | set | delete; a set value is JSON or plain text')
    .option('--json', 'print JSON')
    .action(async (op: string, namespace: string, key: string, value: string | undefined, opts: JsonOpt) => {
      if (!['get', 'set', 'delete'].includes(op)) throw new CliError(`kv op must be get, set or delete, got ${op}`, 2, 'bad_input');
      if (op === 'set' && value === undefined) throw new CliError('kv set needs a value', 2, 'bad_input');
      if (remoteClient()) throw notRemote('par vault kv', 'key-value storage endpoint');
      await withService(async (svc) => {
        let res: { found: boolean; value?: JsonValue };
        if (op === 'get') res = await svc.kv.get(namespace, key);
        else if (op === 'set') {
          const parsed = parseJsonOrText(value!);
          await svc.kv.set(namespace, key, parsed);
          res = { found: true, value: parsed };
        } else res = { found: await svc.kv.delete(namespace, key) };
        emit(res, opts, (d) => (d.found ? (d.value === undefined ? 'deleted' : JSON.stringify(d.value)) : '(not found)'));
        if (!res.found) process.exitCode = 3;
      });
    });
}
