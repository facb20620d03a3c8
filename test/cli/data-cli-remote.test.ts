// Remote mode for the data commands: with PAR_API_KEY set, par vault, chat, memory and facts go
// through a real API (in this process, over the real vault, chat and memory services in its own
// data folder). The CLI gets a *different*, empty PAR_DATA_DIR and an unreachable Temporal, so
// anything it did locally would show up there (or fail) instead of on the server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { createChat, vaultServiceRetriever, vaultServiceSettings } from '../../activities/chat';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { EmbeddingSimilarity } from '../../activities/models/similarity';
import { ModelRouter } from '../../activities/models/router';
import { offlineSearchQuery } from '../../activities/vaults/history-search';
import { createVaultService, type VaultService } from '../../activities/vaults';
import { EmbeddedVectorStore } from '../../activities/vectors';
import { CliError } from '../../client/cli/output';
import { startTestApi, type TestApi } from '../api/helpers/api';
import { runPar, type CliResult } from '../helpers/cli';

let api: TestApi;
let vaults: VaultService;
let memory: MemoryServices;
const apiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-remote-api-'));
/** The CLI's own data folder in remote mode: it must stay empty. */
const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-remote-cli-'));
/** Local-mode runs of the same commands (in this process), to compare their --json with remote mode. */
const localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-remote-local-'));
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'par-remote-files-'));

beforeAll(async () => {
  vaults = await createVaultService({ env: { ...process.env, PAR_DATA_DIR: apiDir, QDRANT_URL: '' } });
  memory = await createMemoryServices({ embedder: vaults.embedder, vectorStore: new EmbeddedVectorStore(path.join(apiDir, 'memory-vectors.sqlite')), dbFile: path.join(apiDir, 'memory.sqlite') });
  const chat = createChat({
    router: new ModelRouter({ similarity: async () => new EmbeddingSimilarity(vaults.embedder) }),
    retriever: vaultServiceRetriever(async () => vaults),
    vaultSettings: vaultServiceSettings(async () => vaults),
    offlineRewrite: offlineSearchQuery,
  });
  // 16 KiB bodies, so that a few dozen KB must be split over several requests (the CLI assumes 1 MiB and learns from the 413).
  api = await startTestApi({ services: { vaults, chat, memory: { vault: memory.vault, facts: memory.facts } }, dataDir: apiDir, bodyLimit: 16 * 1024 });
  await vaults.add('secret', 'A vault no test key may read.');
  await vaults.add('handbook', 'Refunds are paid within 14 days of receiving the return.');
  await vaults.add('handbook', 'The office cat is called Miso.');
});
afterAll(async () => {
  await api?.close();
  await memory?.close();
  await vaults?.close();
  for (const dir of [apiDir, cliDir, localDir, files]) fs.rmSync(dir, { recursive: true, force: true });
});

/** `par ARGS` as a separate process in remote mode with this key. */
function remote(key: string, args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runPar(args, { PAR_API_URL: api.url, PAR_API_KEY: key, PAR_DATA_DIR: cliDir, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1', PAR_API_BODY_LIMIT: '', QDRANT_URL: '', ...env }, stdin);
}

const json = (r: CliResult) => JSON.parse(r.stdout);

/** `par ARGS` in local mode (no key, localDir), run in this process: no start-up cost, same output. */
async function local(args: string[], env: Record<string, string> = {}): Promise<CliResult & { json: () => any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const program = new Command('par').exitOverride();
  (require(`../../client/cli/commands/${args[0]}`) as { register(p: Command): void }).register(program);
  const saved = { ...process.env };
  const savedExit = process.exitCode;
  Object.assign(process.env, { PAR_DATA_DIR: localDir, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1', QDRANT_URL: '', ...env });
  delete process.env.PAR_API_KEY;
  process.exitCode = 0;
  let stdout = '';
  let stderr = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  let code = 0;
  try {
    await program.parseAsync(['node', 'par', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    code = err.exitCode;
    stdout += JSON.stringify({ error: { code: err.code, message: err.message } });
  } finally {
    o.mockRestore();
    e.mockRestore();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    process.exitCode = savedExit;
  }
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Top-level keys and, for each array of objects, the keys of its first element. */
function shape(v: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = { '.': Object.keys(v).sort() };
  for (const [k, x] of Object.entries(v)) {
    if (Array.isArray(x) && x[0] && typeof x[0] === 'object') out[`${k}[]`] = Object.keys(x[0]).sort();
    else if (x && typeof x === 'object' && !Array.isArray(x)) out[k] = Object.keys(x).sort();
  }
  return out;
}

function write(name: string, text: string): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, text);
  return file;
}

test('par vault goes through the API: add (in several requests when large), search, items, edit, export, import, list, delete', async () => {
  const { key } = await api.clientWith({ vaults: { docs: 'admin', copy: 'admin' } }, 'writer');
  const refund = 'Refunds are paid within 30 days of delivery.';
  const added = await remote(key, ['vault', 'add', 'docs', '-', '--meta', 'topic=refunds', '--json'], refund);
  expect(added.code).toBe(0);
  const addOut = json(added);
  expect(addOut).toMatchObject({ vault: 'docs', via: 'api', chunks: 1, ids: [expect.any(String)] });
  const id = addOut.ids[0] as string;
  expect((await vaults.getItems('docs', [id])).items[0]).toMatchObject({ text: refund, metadata: { topic: 'refunds' } });

  // ~45 KB with quotes, backslashes and non-ASCII text: more than two 16 KiB bodies. Every note must arrive.
  const N = 600;
  const big = Array.from({ length: N }, (_, i) => `Warehouse note ${i}: the “shelf” of Müller's order ${i} holds "${i % 7}" boxes \\ row ${i % 13}.${i % 40 === 39 ? '\n\n' : ' '}`).join('');
  const bigAdd = await remote(key, ['vault', 'add', 'docs', write('big.txt', big), '--meta', 'source=big']);
  expect(bigAdd.code).toBe(0);
  expect(bigAdd.stdout).toMatch(/^added \d+ item\(s\) to docs: /);
  const progress = /\[#+\] (\d+)\/(\d+) requests \(100%\)/.exec(bigAdd.stderr);
  expect(progress).not.toBeNull();
  const requests = Number(progress![2]);
  expect(requests).toBeGreaterThanOrEqual(3);
  const stored = (await vaults.listItems('docs', { limit: 10_000, filter: { source: 'big' } })).items;
  expect(stored.length).toBe(Number(/^added (\d+)/.exec(bigAdd.stdout)![1]));
  expect(new Set(stored.map((i) => i.metadata.doc_id)).size).toBe(requests); // one document per request
  const notes = new Set(stored.flatMap((i) => [...i.text.matchAll(/Warehouse note (\d+):/g)].map((m) => Number(m[1]))));
  expect(notes.size).toBe(N);
  expect(stored.some((i) => i.text.includes('the “shelf” of Müller\'s order 7 holds "0" boxes \\ row 7.'))).toBe(true);
  const total = stored.length + 1;

  const [search, many, got, page, list] = await Promise.all([
    remote(key, ['vault', 'search', 'docs', 'how long until I get my money back', '-n', '1', '--json']),
    remote(key, ['vault', 'search-many', 'money back after delivery', '--vaults', 'docs=1,copy', '-n', '2', '--json']),
    remote(key, ['vault', 'items', 'docs', id, 'no-such-id', '--json']),
    remote(key, ['vault', 'items', 'docs', '--limit', '1', '--json']),
    remote(key, ['vault', 'list', '--json']),
  ]);
  expect(json(search)).toMatchObject({ vault: 'docs', query: 'how long until I get my money back', items: [{ id, vault: 'docs', score: expect.any(Number) }] });
  expect(json(many)).toMatchObject({ query: 'money back after delivery', items: [{ id }, { vault: 'docs' }], shortfalls: [] });
  expect(got.code).toBe(3);
  expect(json(got)).toMatchObject({ items: [{ id, text: refund }], missing: ['no-such-id'] });
  expect(json(page)).toMatchObject({ vault: 'docs', total, items: [expect.any(Object)], cursor: expect.any(String) });
  expect(json(list)).toEqual({ vaults: [{ name: 'docs', items: total }] }); // not handbook or secret
  const edited = await remote(key, ['vault', 'edit', 'docs', id, '--meta', 'lang=en', '--unset', 'topic', '--json']);
  expect(json(edited)).toMatchObject({ id, vault: 'docs', text: refund, metadata: { lang: 'en' } });
  expect(json(edited).metadata).not.toHaveProperty('topic');

  // The export is several 64 KiB bodies' worth: the import is sent in batches, with progress.
  const exportFile = path.join(files, 'docs.json');
  const exported = await remote(key, ['vault', 'export', 'docs', '--out', exportFile]);
  expect(exported.stderr).toMatch(new RegExp(`exported ${total} item\\(s\\) of docs`));
  const imported = await remote(key, ['vault', 'import', exportFile, '--vault', 'copy']);
  expect(imported).toMatchObject({ code: 0, stdout: `imported ${total} item(s) into copy\n` });
  expect(imported.stderr).toMatch(/copy: \[#+\] (\d+)\/\1 requests \(100%\)/);
  expect(await vaults.count('copy')).toBe(total);
  expect(json(await remote(key, ['vault', 'list', '--json']))).toEqual({ vaults: [{ name: 'copy', items: total }, { name: 'docs', items: total }] });
  expect((await vaults.getItems('copy', [id])).items[0]).toMatchObject({ text: refund, metadata: { lang: 'en' } });

  const deleted = await remote(key, ['vault', 'delete', 'docs', id, 'no-such-id', '--json']);
  expect(deleted.code).toBe(3);
  expect(json(deleted)).toEqual({ vault: 'docs', deleted: [id], missing: ['no-such-id'] });
  expect((await vaults.getItems('docs', [id])).missing).toEqual([id]);

  // Nothing touched the CLI's own data folder.
  expect(fs.readdirSync(cliDir)).toEqual([]);

  // The same commands in local mode print the same JSON shapes.
  const l = (args: string[]) => local(['vault', ...args]);
  const localAdd = await l(['add', 'docs', write('refund.txt', refund), '--meta', 'topic=refunds', '--json']);
  expect(shape(localAdd.json())).toEqual(shape(addOut));
  const localId = localAdd.json().ids[0];
  await l(['add', 'docs', write('other.txt', 'Parcels leave Lisbon within two working days.'), '--json']);
  expect(shape((await l(['search', 'docs', 'how long until I get my money back', '-n', '1', '--json'])).json())).toEqual(shape(json(search)));
  expect(shape((await l(['search-many', 'money back after delivery', '--vaults', 'docs=1,copy', '-n', '2', '--json'])).json())).toEqual(shape(json(many)));
  expect(shape((await l(['items', 'docs', localId, 'no-such-id', '--json'])).json())).toEqual(shape(json(got)));
  expect(shape((await l(['items', 'docs', '--limit', '1', '--json'])).json())).toEqual(shape(json(page)));
  expect(Object.keys((await l(['edit', 'docs', localId, '--meta', 'lang=en', '--unset', 'topic', '--json'])).json()).sort()).toEqual(Object.keys(json(edited)).sort());
  expect(shape((await l(['list', '--json'])).json())).toEqual(shape(json(list)));
  expect((await l(['delete', 'docs', localId, 'no-such-id', '--json'])).json()).toEqual({ vault: 'docs', deleted: [localId], missing: ['no-such-id'] });
});

test('par vault in remote mode: a key without the grant gets the server\'s 403; subcommands the API lacks fail clearly', async () => {
  const { key } = await api.clientWith({ vaults: { other: 'read', docs: 'read' } }, 'reader');
  const refused = await remote(key, ['vault', 'search', 'handbook', 'refunds']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^par: API 403 forbidden: .*no read access to vault "handbook"/);
  const refusedJson = await remote(key, ['vault', 'add', 'docs', '-', '--json'], 'Readers cannot write.');
  expect(refusedJson.code).toBe(2);
  expect(json(refusedJson).error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/API 403 forbidden: .*write access to vault "docs"/) });

  const unsupported: [string[], RegExp][] = [
    [['vault', 'settings', 'docs'], /par vault settings .*no endpoint that reads or changes vault settings/],
    [['vault', 'kv', 'get', 'ns', 'k'], /par vault kv .*no key-value storage endpoint/],
    [['vault', 'delete', 'docs', '--all'], /par vault delete --all .*no endpoint that deletes a whole vault/],
    [['vault', 'search', 'docs', 'refunds', '--no-hybrid'], /par vault search --no-hybrid .*no meaning-only ranking/],
    [['vault', 'add', 'docs', '-', '--workflow', '--json'], /par vault add --workflow .*no endpoint that starts the ingest workflow/],
  ];
  const results = await Promise.all(unsupported.map(([args]) => remote(key, args, 'some text')));
  for (const [i, r] of results.entries()) {
    const [args, pattern] = unsupported[i]!;
    const message = args.includes('--json') ? json(r).error.message : r.stderr;
    expect({ args, code: r.code, message }).toEqual({ args, code: 2, message: expect.stringMatching(pattern) });
  }
  expect(fs.readdirSync(cliDir)).toEqual([]);
});

test('par memory and par facts go through the API: save, update, search, delete, restore, put, get, list, delete', async () => {
  const { key } = await api.clientWith({ vaults: { 'memory:ada': 'write' } }, 'ada-agent');
  const env = { PAR_TENANT: 'ada' };
  const m = (args: string[]) => remote(key, ['memory', ...args, '--json'], undefined, env);
  const saved = json(await m(['save', 'I prefer dark mode in all editors']));
  expect(saved).toMatchObject({ action: 'add', entry: { tenant: 'ada', scope: 'private' } });
  const id = saved.entry.id as string;
  const merged = json(await m(['save', 'The user prefers dark mode in every editor']));
  expect(merged).toMatchObject({ action: 'update', entry: { id }, previousContent: 'I prefer dark mode in all editors', matchedSimilarity: expect.any(Number) });
  const found = json(await m(['search', 'editor colour theme', '--limit', '3']));
  expect(found.entries.map((e: { id: string }) => e.id)).toEqual([id]);
  const del = json(await m(['delete', id]));
  expect(del.entry.deleted).toEqual(expect.any(String));
  expect(await memory.vault.list({ tenant: 'ada' })).toEqual([]);
  const [listDeletedRes, unknown] = await Promise.all([m(['list', '--deleted']), m(['save', 'anything', '--id', 'does-not-exist'])]);
  const listDeleted = json(listDeletedRes);
  expect(listDeleted.entries.map((e: { id: string }) => e.id)).toEqual([id]);
  const restored = json(await m(['restore', id]));
  expect(restored.entry).toMatchObject({ id, deleted: null, content: 'The user prefers dark mode in every editor' });
  const list = json(await m(['list']));
  expect(list.entries.map((e: { id: string }) => e.id)).toEqual([id]);
  expect((await memory.vault.list({ tenant: 'ada' })).map((e) => e.id)).toEqual([id]);
  // Not found: the same error code and exit code as in local mode, with the server's code in the message.
  expect(unknown.code).toBe(1);
  expect(json(unknown).error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^API 404 memory_not_found: .*"does-not-exist" does not exist/) });

  const f = (args: string[], asJson = true) => remote(key, ['facts', ...args, ...(asJson ? ['--json'] : [])], undefined, env);
  const [putRes] = await Promise.all([f(['put', 'prefs', 'theme', '"dark"']), f(['put', 'prefs', 'tz', '{"zone":"CET"}'])]);
  const put = json(putRes);
  expect(put).toEqual({ fact: { namespace: 'prefs', key: 'theme', value: 'dark', created: expect.any(String), updated: expect.any(String) } });
  const [tz, factListRes] = await Promise.all([f(['get', 'prefs', 'tz'], false), f(['list', 'prefs', '--prefix', 't'])]);
  expect(tz.stdout).toBe('{\n  "zone": "CET"\n}\n');
  const factList = json(factListRes);
  expect(factList.facts.map((x: { key: string }) => x.key).sort()).toEqual(['theme', 'tz']);
  const factDel = json(await f(['delete', 'prefs', 'theme']));
  expect(factDel).toEqual({ deleted: true, namespace: 'prefs', key: 'theme' });
  expect(await memory.facts.get('ada', 'prefs', 'theme')).toBeUndefined();
  expect((await memory.facts.get('ada', 'prefs', 'tz'))?.value).toEqual({ zone: 'CET' });
  const { key: bob } = await api.clientWith({ vaults: { 'memory:bob': 'write' } }, 'bob-agent');
  const [gone, goneDel, refused] = await Promise.all([f(['get', 'prefs', 'theme']), f(['delete', 'prefs', 'theme']), remote(bob, ['memory', 'list'], undefined, env)]);
  expect(gone.code).toBe(1);
  expect(json(gone)).toEqual({ error: { code: 'not_found', message: 'no fact "theme" in namespace "prefs"' } });
  expect([goneDel.code, json(goneDel).error.code]).toEqual([1, 'not_found']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^par: API 403 forbidden: .*"memory:ada"/);
  expect(fs.readdirSync(cliDir)).toEqual([]);

  // Local mode prints the same shapes.
  const lm = (args: string[]) => local(['memory', ...args, '--json'], env).then((r) => r.json());
  const lSaved = await lm(['save', 'I prefer dark mode in all editors']);
  expect(shape(lSaved)).toEqual(shape(saved));
  expect(shape(await lm(['save', 'The user prefers dark mode in every editor']))).toEqual(shape(merged));
  expect(shape(await lm(['search', 'editor colour theme', '--limit', '3']))).toEqual(shape(found));
  expect(shape(await lm(['delete', lSaved.entry.id]))).toEqual(shape(del));
  expect(shape(await lm(['list', '--deleted']))).toEqual(shape(listDeleted));
  expect(shape(await lm(['restore', lSaved.entry.id]))).toEqual(shape(restored));
  expect(await lm(['save', 'anything', '--id', 'does-not-exist'])).toMatchObject({ error: { code: 'not_found' } });
  const lf = (args: string[]) => local(['facts', ...args, '--json'], env).then((r) => r.json());
  expect(shape(await lf(['put', 'prefs', 'theme', '"dark"']))).toEqual(shape(put));
  await lf(['put', 'prefs', 'tz', '{"zone":"CET"}']);
  expect(shape(await lf(['list', 'prefs', '--prefix', 't']))).toEqual(shape(factList));
  expect(await lf(['delete', 'prefs', 'theme'])).toEqual(factDel);
  expect(await lf(['get', 'prefs', 'theme'])).toEqual(json(gone));
});

test('par chat goes through the API: --json (POST /v1/chat), streamed, and interactive (POST /v1/chat/stream)', async () => {
  const { key } = await api.clientWith({ vaults: { handbook: 'read' } }, 'chatter');
  const asked = await remote(key, ['chat', 'handbook', 'How long do refunds take?', '--model', 'local:extractive', '--n', '1', '--json']);
  expect(asked.code).toBe(0);
  const answer = json(asked);
  expect(answer).toMatchObject({ response: expect.stringMatching(/14 days/), model: 'local:extractive', context: [{ vault: 'handbook', text: expect.stringMatching(/14 days/) }] });
  expect(answer.context).toHaveLength(1);

  const streamed = await remote(key, ['chat', 'handbook', 'What is the office cat called?', '--model', 'local:extractive', '--n', '1']);
  expect(streamed.code).toBe(0);
  expect(streamed.stdout).toMatch(/Miso[^\n]*\n$/);
  expect(streamed.stdout).not.toMatch(/14 days/);

  const chatted = await remote(key, ['chat', 'handbook', '--model', 'local:extractive', '--n', '1'], 'What is the office cat called?\nHow long do refunds take?\n');
  expect(chatted.code).toBe(0);
  const lines = chatted.stdout.trim().split('\n');
  expect(lines.findIndex((x) => /Miso/.test(x))).toBeLessThan(lines.findIndex((x) => /14 days/.test(x)));

  const { key: stranger } = await api.clientWith({ vaults: { docs: 'read' } }, 'stranger');
  const refused = await remote(stranger, ['chat', 'handbook', 'How long do refunds take?', '--model', 'local:extractive']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^par: API 403 forbidden: .*"handbook"/);
  const refusedJson = await remote(stranger, ['chat', 'handbook', 'How long do refunds take?', '--json']);
  expect([refusedJson.code, json(refusedJson).error.code]).toEqual([2, 'forbidden']);
  expect(fs.readdirSync(cliDir)).toEqual([]);

  // Local mode prints the same keys.
  await local(['vault', 'add', 'handbook', write('handbook.txt', 'Refunds are paid within 14 days of receiving the return.')]);
  const localAnswer = await local(['chat', 'handbook', 'How long do refunds take?', '--model', 'local:extractive', '--n', '1', '--json']);
  expect(shape(localAnswer.json())).toEqual(shape(answer));
});
