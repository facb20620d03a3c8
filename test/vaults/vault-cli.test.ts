import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findLocalModelFiles, LOCAL_MODELS } from '../../activities/embeddings';
import { createVaultActivities } from '../../activities/vaults/activities';
import { createVaultService } from '../../activities/vaults';
import { IngestStaging } from '../../activities/vaults/ingest-staging';
import type { VaultService } from '../../activities/vaults/service';
import { parseVaultsArg } from '../../client/cli/commands/vault';
import { readTestEnv } from '../helpers/test-env';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { tempDir } from './service-fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const dataDir = tempDir('par-vcli-');

/** Runs `par vault ...` without blocking this process (the test's worker must keep running). */
function par(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; out: string; err: string; json: () => any }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'par.js'), 'vault', ...args], {
      cwd: ROOT,
      // No worker on this address: the CLI must fall back to (or stay on) the local path.
      env: { ...process.env, PAR_DATA_DIR: dataDir, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1', ...opts.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => resolve({ code, out, err, json: () => JSON.parse(out) }));
  });
}

test('--vaults parses a list, or minimums with bare names as fill-only', () => {
  expect(parseVaultsArg('a,b')).toEqual(['a', 'b']);
  expect(parseVaultsArg('legal=3,tickets=2,eng')).toEqual({ legal: 3, tickets: 2, eng: null });
  expect(() => parseVaultsArg('a=-1')).toThrow(/non-negative/);
});

/** Runs `par vault ...` in this process (no start-up cost), capturing what it prints. */
async function parInProcess(args: string[]): Promise<{ code: number; out: string; err: string; json: () => any }> {
  const { Command } = await import('commander');
  const { register } = await import('../../client/cli/commands/vault');
  const program = new Command('par').exitOverride();
  register(program);
  let out = '';
  let err = '';
  const saved = { data: process.env.PAR_DATA_DIR, temporal: process.env.PAR_TEMPORAL_ADDRESS, exit: process.exitCode };
  process.env.PAR_DATA_DIR = dataDir;
  process.env.PAR_TEMPORAL_ADDRESS = '127.0.0.1:1';
  process.exitCode = 0;
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  let code = 0;
  try {
    await program.parseAsync(['node', 'par', 'vault', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (ex) {
    code = (ex as { exitCode?: number }).exitCode ?? 1;
    err += (ex as Error).message;
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.env.PAR_DATA_DIR = saved.data;
    if (saved.temporal === undefined) delete process.env.PAR_TEMPORAL_ADDRESS;
    else process.env.PAR_TEMPORAL_ADDRESS = saved.temporal;
    process.exitCode = saved.exit;
  }
  return { code, out, err, json: () => JSON.parse(out) };
}

test('the par binary adds from stdin with --json, and reports bad input as a JSON error with exit code 2', async () => {
  const add = await par(['add', 'kb', '-', '--meta', 'source=faq', '--meta', 'rank=2', '--json'], { input: 'Refunds are paid within 30 days. Shipping is free over 50 euros.' });
  expect(add.code).toBe(0);
  expect(add.json()).toMatchObject({ vault: 'kb', via: 'local', chunks: 1 });
  const bad = await par(['add', 'bad name', '-', '--json'], { input: 'x' });
  expect(bad.code).toBe(2);
  expect(bad.json().error).toMatchObject({ code: 'bad_vault_name' });
});

test('par vault search with PAR_RERANK_MODEL shows the cross-encoder\'s order and scores; --no-rerank and a bad model path', async () => {
  // The word-overlap model of test/vaults/rerank.test.ts, in a cross-encoder's folder layout.
  const model = tempDir('par-vcli-rerank-');
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'rerank', 'overlap-cross-encoder.onnx'), path.join(model, 'model.onnx'));
  fs.copyFileSync(findLocalModelFiles(LOCAL_MODELS['e5-small-v2']).tokenizer, path.join(model, 'tokenizer.json'));
  const texts = ['Cats and dogs can live together peacefully.', 'A red cat and a green dog share one bowl.', 'The dog park opens at seven.'];
  // A data folder of its own, so the other tests' vault list stays theirs.
  const own = { PAR_DATA_DIR: tempDir('par-vcli-rerank-data-') };
  for (const text of texts) expect((await par(['add', 'pets', '-', '--json'], { input: text, env: own })).code).toBe(0);
  const env = { ...own, PAR_RERANK_MODEL: model };
  const reranked = await par(['search', 'pets', 'red cat green dog', '-n', '3', '--json'], { env });
  expect(reranked.code).toBe(0);
  const items = reranked.json().items as { text: string; rerankScore: number }[];
  expect(items[0]!.text).toBe(texts[1]);
  expect(items.map((i) => i.rerankScore)).toEqual([...items.map((i) => i.rerankScore)].sort((a, b) => b - a));
  const human = await par(['search', 'pets', 'red cat green dog', '-n', '1'], { env });
  expect(human.out).toMatch(/^\d\.\d{3} \(rerank 3\.\d\d\)  pets\/\S+  A red cat and a green dog/);
  const plain = (await par(['search', 'pets', 'red cat green dog', '-n', '3', '--no-rerank', '--json'], { env })).json();
  expect(plain.items.every((i: { rerankScore?: number }) => i.rerankScore === undefined)).toBe(true);
  const bad = await par(['search', 'pets', 'cat', '--json'], { env: { ...own, PAR_RERANK_MODEL: path.join(model, 'missing') } });
  expect(bad.code).toBe(1);
  expect(bad.json().error).toMatchObject({ code: 'reranker', message: `PAR_RERANK_MODEL=${path.join(model, 'missing')} does not exist: name a cross-encoder's folder (model.onnx and tokenizer.json) or its .onnx file` });
});

test('search, search-many, items, edit, export, import, delete, list and kv, all with --json', async () => {
  const ticket = path.join(dataDir, 'ticket.txt');
  fs.writeFileSync(ticket, 'A customer wants a refund for a late parcel.');
  expect((await parInProcess(['add', 'tickets', ticket, '--json'])).code).toBe(0);

  const search = (await parInProcess(['search', 'kb', 'money back', '-n', '1', '--json'])).json();
  expect(search.items[0]).toMatchObject({ vault: 'kb', metadata: { source: 'faq', rank: 2 } });
  expect(search.items[0].score).toBeGreaterThan(0.2);
  const id = search.items[0].id as string;

  const many = (await parInProcess(['search-many', 'refund', '--vaults', 'kb=1,tickets=1,nowhere=1', '-n', '3', '--json'])).json();
  expect(many.items.map((i: { vault: string }) => i.vault).sort()).toEqual(['kb', 'tickets']);
  expect(many.shortfalls).toEqual([{ vault: 'nowhere', wanted: 1, got: 0 }]);

  expect((await parInProcess(['edit', 'kb', id, '--text', 'Refunds take two weeks.', '--unset', 'rank', '--json'])).json()).toMatchObject({
    text: 'Refunds take two weeks.',
    metadata: { source: 'faq' },
  });
  const items = (await parInProcess(['items', 'kb', '--json'])).json();
  expect(items.total).toBe(1);
  expect(items.items[0].metadata).toEqual({ source: 'faq' });

  const exportFile = path.join(dataDir, 'kb.json');
  expect((await parInProcess(['export', 'kb', '--out', exportFile])).code).toBe(0);
  expect((await parInProcess(['import', exportFile, '--vault', 'kb2', '--json'])).json()).toEqual({ vault: 'kb2', imported: 1 });

  const missing = await parInProcess(['delete', 'kb', 'no-such-id', '--json']);
  expect(missing.code).toBe(3);
  expect(missing.json().missing).toEqual(['no-such-id']);
  expect((await parInProcess(['delete', 'kb2', '--all', '--json'])).json()).toEqual({ vault: 'kb2', deletedItems: 1 });
  expect((await parInProcess(['list', '--json'])).json().vaults.map((v: { name: string }) => v.name)).toEqual(['kb', 'tickets']);

  expect((await parInProcess(['kv', 'set', 'acct', 'plan', '{"tier":"pro"}', '--json'])).json()).toEqual({ found: true, value: { tier: 'pro' } });
  expect((await parInProcess(['kv', 'get', 'acct', 'plan'])).out.trim()).toBe('{"tier":"pro"}');
  expect((await parInProcess(['search', 'kb', 'x', '-n', 'zero'])).err).toMatch(/-n must be a positive integer/);
});

describe('add through the ingest workflow', () => {
  let ctx: TemporalTestContext;
  let svc: Promise<VaultService> | undefined;
  beforeAll(async () => {
    ctx = await temporalTestContext('vault-cli');
    const env = { ...process.env, PAR_DATA_DIR: dataDir };
    await ctx.startWorker({
      activities: createVaultActivities({
        service: () => (svc ??= createVaultService({ env })),
        staging: () => IngestStaging.open({ kind: 'sqlite', file: path.join(dataDir, 'vaults.sqlite') }),
      }),
    });
    // The CLI takes the workflow path only when it sees an activity poller: wait until the server does.
    for (const deadline = Date.now() + 60_000; ; ) {
      const tq = await ctx.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: ctx.taskQueue }, taskQueueType: 2 });
      if (tq.pollers?.length) break;
      if (Date.now() > deadline) throw new Error(`no activity poller on ${ctx.taskQueue} after a minute`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await ctx?.close();
    await (await svc)?.close();
  });

  test('with a worker reachable, `add --workflow` runs the ingest workflow and draws progress on stderr', async () => {
    const doc = Array.from({ length: 60 }, (_, i) => `Clause ${i} says the supplier delivers batch ${i} on time.`).join(' ');
    const file = path.join(dataDir, 'contract.txt');
    fs.writeFileSync(file, doc);
    const env = { PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: ctx.taskQueue };
    const res = (await par(['add', 'contracts', file, '--workflow'], { env }));
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/added \d+ chunks to contracts \(ingest workflow ingest-/);
    expect(res.err).toMatch(/contracts: \[#+\.*\] \d+\/\d+ chunks/);
    const json = (await par(['add', 'contracts2', file, '--workflow', '--json'], { env }));
    expect(json.err).toBe('');
    expect(json.json()).toMatchObject({ vault: 'contracts2', via: 'workflow' });
    expect((await par(['count', 'contracts2', '--json'])).json().count).toBe(json.json().chunks);
    expect(fs.readdirSync(path.join(dataDir, 'ingest'))).toEqual([]); // staged files are cleaned up
  });

  test('--workflow without a reachable worker is a clear error', async () => {
    const res = (await par(['add', 'contracts', path.join(dataDir, 'contract.txt'), '--workflow']));
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/no PAR worker is reachable/);
  });
});
