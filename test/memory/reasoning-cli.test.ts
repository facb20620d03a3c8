// `par reasoning list|show|search|delete` as a user runs them: locally over PAR_DATA_DIR, and in
// remote mode (PAR_API_KEY) through a real API in this process. The remote CLI gets its own empty
// data folder, so anything it did locally would show up there instead of on the server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { EmbeddedVectorStore } from '../../activities/vectors';
import { startTestApi, type TestApi } from '../api/helpers/api';
import { runPar, type CliResult } from '../helpers/cli';
import { sharedEmbedder } from './memory-test-services';

const localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-reasoning-cli-'));
const apiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-reasoning-api-'));
const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-reasoning-remote-cli-'));
let api: TestApi;
let served: MemoryServices;

const sql = { title: 'Check the schema first', description: 'before writing SQL', content: 'Read the table schema before writing any SQL query.', taskSignature: 'write a SQL query for a sales report' };
const email = { title: 'Ask for the tone', description: '', content: 'Ask which tone the customer wants before drafting an email.', taskSignature: 'draft a customer support email' };

async function open(dir: string): Promise<MemoryServices> {
  return createMemoryServices({ embedder: await sharedEmbedder(), vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')), dbFile: path.join(dir, 'memory.sqlite') });
}

/** Two items; the email one has had a success, so it lists first. */
async function seed(s: MemoryServices, tenant: string): Promise<{ sqlId: string; emailId: string }> {
  const sqlId = (await s.reasoning.add(tenant, { ...sql, runId: 'r1' })).id;
  const emailId = (await s.reasoning.add(tenant, { ...email, runId: 'r2' })).id;
  await s.reasoning.applyOutcome(tenant, [emailId], 'success', 'r3');
  return { sqlId, emailId };
}

let local: { sqlId: string; emailId: string };
let remote: { sqlId: string; emailId: string };

beforeAll(async () => {
  const s = await open(localDir);
  local = await seed(s, 'cli-tenant');
  await s.close();
  served = await open(apiDir);
  remote = await seed(served, 'team');
  api = await startTestApi({ services: { memory: { vault: served.vault, facts: served.facts, reasoning: served.reasoning } }, dataDir: apiDir });
});
afterAll(async () => {
  await api?.close();
  await served?.close();
  for (const dir of [localDir, apiDir, cliDir]) fs.rmSync(dir, { recursive: true, force: true });
});

const json = (r: CliResult) => JSON.parse(r.stdout);
const ids = (items: { id: string }[]) => items.map((i) => i.id);

// Few invocations on purpose: each starts Node, and the local ones that search or delete load the embedding model.
test('local: list, search, show, delete, and not_found for an unknown id', async () => {
  const par = (...args: string[]) => runPar(['reasoning', ...args], { PAR_DATA_DIR: localDir, PAR_TENANT: 'cli-tenant', PAR_API_KEY: '', QDRANT_URL: '' });

  const list = await par('list', '--json');
  expect(list.code).toBe(0);
  expect(json(list)).toMatchObject({ items: [{ id: local.emailId, confidence: 0.6 }, { id: local.sqlId, confidence: 0.5 }], total: 2 });

  const search = await par('search', 'write an SQL query for the monthly revenue', '--limit', '1', '--json');
  expect(ids(json(search).items)).toEqual([local.sqlId]);
  expect(json(search).items[0]).toMatchObject({ title: sql.title, similarity: expect.any(Number), score: expect.any(Number) });

  const del = await par('delete', local.sqlId, '--json');
  expect(json(del)).toMatchObject({ deleted: local.sqlId, item: { title: sql.title } });
  const show = await par('show', local.sqlId, '--json');
  expect([show.code, json(show).error.code]).toEqual([1, 'not_found']);
  expect(json(show).error.message).toContain(local.sqlId);

  // Human output: one line per item, the deleted one gone.
  const human = await par('list');
  expect(human.code).toBe(0);
  expect(human.stdout).toContain(`${local.emailId}  [confidence 0.60]  ${email.title}`);
  expect(human.stdout).not.toContain(local.sqlId);
}, 300_000);

test('remote: through the API with the key grants; nothing is written locally', async () => {
  const env = (key: string) => ({ PAR_API_URL: api.url, PAR_API_KEY: key, PAR_DATA_DIR: cliDir, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1', QDRANT_URL: '' });
  const readKey = (await api.clientWith({ vaults: { 'memory:team': 'read' } })).key;
  const writeKey = (await api.clientWith({ vaults: { 'memory:team': 'write' } })).key;
  const par = (key: string, ...args: string[]) => runPar(['reasoning', ...args, '--tenant', 'team', '--json'], env(key));

  const list = await par(readKey, 'list', '--limit', '1');
  expect(json(list)).toMatchObject({ items: [{ id: remote.emailId }], total: 2 });
  const search = await par(readKey, 'search', 'write an SQL query for the monthly revenue');
  expect(ids(json(search).items)[0]).toBe(remote.sqlId);
  const show = await par(readKey, 'show', remote.emailId);
  expect(json(show).item).toMatchObject({ id: remote.emailId, title: email.title, evidenceRunIds: ['r2', 'r3'] });

  const missing = await par(readKey, 'show', 'no-such-item');
  expect([missing.code, json(missing).error.code]).toEqual([1, 'not_found']);
  expect(json(missing).error.message).toMatch(/API 404 reasoning_item_not_found/);
  const refused = await par(readKey, 'delete', remote.sqlId);
  expect([refused.code, json(refused).error.code]).toEqual([2, 'forbidden']);
  const otherTenant = await runPar(['reasoning', 'list', '--tenant', 'someone-else', '--json'], env(writeKey));
  expect([otherTenant.code, json(otherTenant).error.code]).toEqual([2, 'forbidden']);

  const del = await par(writeKey, 'delete', remote.sqlId);
  expect(json(del)).toMatchObject({ deleted: remote.sqlId, item: { id: remote.sqlId } });
  expect((await served.reasoning.list('team')).map((i) => i.id)).toEqual([remote.emailId]);
  expect(fs.readdirSync(cliDir)).toEqual([]);
}, 300_000);
