import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-memory-cli-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

// Few invocations on purpose: each starts Node and loads the embedding model (~2 s of CPU, several
// times that on a busy machine, hence the tests' longer timeouts).
/** Runs the real `par` CLI against a private data folder; returns parsed --json output and the exit code. */
async function par(...args: string[]): Promise<{ code: number; out: any }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PAR_DATA_DIR: dataDir, PAR_TENANT: 'cli-tenant' };
  delete env.QDRANT_URL;
  try {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/par.js'), ...args, '--json'], { env, cwd: ROOT });
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

test('par memory: save, same-topic update, search, delete, list --deleted, restore', async () => {
  const added = await par('memory', 'save', 'I prefer dark mode in all editors');
  expect(added.out).toMatchObject({ action: 'add', entry: { scope: 'private', tenant: 'cli-tenant' } });
  const id = added.out.entry.id;
  const merged = await par('memory', 'save', 'The user prefers dark mode in every editor');
  expect(merged.out).toMatchObject({ action: 'update', entry: { id }, previousContent: 'I prefer dark mode in all editors' });
  expect((await par('memory', 'search', 'editor colour theme', '--limit', '3')).out.entries.map((e: { id: string }) => e.id)).toEqual([id]);
  expect((await par('memory', 'delete', id)).out.entry.deleted).toEqual(expect.any(String));
  expect((await par('memory', 'list', '--deleted')).out.entries.map((e: { id: string }) => e.id)).toEqual([id]);
  expect((await par('memory', 'restore', id)).out.entry.deleted).toBeNull();
  const unknown = await par('memory', 'save', 'anything', '--id', 'does-not-exist');
  expect(unknown).toEqual({ code: 1, out: { error: { code: 'not_found', message: expect.stringContaining('"does-not-exist" does not exist') } } });
}, 300_000);

test('par facts: put, get, list --prefix, delete, and a clear error for a value that is not JSON', async () => {
  expect((await par('facts', 'put', 'user:ada', 'theme', '"dark"')).out.fact).toMatchObject({ key: 'theme', value: 'dark' });
  await par('facts', 'put', 'user:ada', 'tz', '{"zone":"CET"}');
  expect((await par('facts', 'get', 'user:ada', 'tz')).out.fact.value).toEqual({ zone: 'CET' });
  expect((await par('facts', 'list', 'user:ada', '--prefix', 'th')).out.facts.map((f: { key: string }) => f.key)).toEqual(['theme']);
  expect((await par('facts', 'delete', 'user:ada', 'tz')).out).toMatchObject({ deleted: true });
  const bad = await par('facts', 'put', 'user:ada', 'theme', 'dark');
  expect(bad).toMatchObject({ code: 2, out: { error: { code: 'bad_input', message: expect.stringContaining('is not JSON') } } });
}, 300_000);
