// Vault endpoints through the real vault service (local embedder, embedded vector store), and
// the API key rules: no key, wrong key, revoked key, another key's vault, levels.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVaultService, type VaultService } from '../../activities/vaults';
import { ParApiError, ParClient } from '../../client/sdk';
import { startTestApi, type TestApi } from './helpers/api';

let api: TestApi;
let vaults: VaultService;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-api-vaults-'));
  vaults = await createVaultService({ env: { ...process.env, PAR_DATA_DIR: dataDir, QDRANT_URL: '' } });
  api = await startTestApi({ services: { vaults }, dataDir, bodyLimit: 64 * 1024 });
});
afterAll(async () => {
  await api.close();
  await vaults.close();
});

async function expectApiError(p: Promise<unknown>, status: number, code: string, message?: RegExp): Promise<ParApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParApiError);
  const e = err as ParApiError;
  expect({ status: e.status, code: e.code }).toEqual({ status, code });
  if (message) expect(e.message).toMatch(message);
  return e;
}

describe('vault endpoints', () => {
  test('add, list, get, edit, search, cross-vault search with quotas, export, import, delete', async () => {
    const { client } = await api.clientWith({ vaults: { docs: 'admin', faq: 'write', copy: 'admin' } });
    const added = await client.addItem('docs', 'Refunds are paid within 14 days of a return.', { topic: 'refunds' });
    expect(added.ids).toHaveLength(1);
    await client.addItem('docs', 'Our office is in Lisbon and opens at nine.', { topic: 'office' });
    await client.addItem('faq', 'You can return shoes within 30 days for a full refund.');

    const page = await client.listItems('docs', { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.cursor).toBeTruthy();
    const rest = await client.listItems('docs', { limit: 10, cursor: page.cursor });
    expect(rest.items.map((i) => i.id)).not.toContain(page.items[0].id);

    const item = await client.getItem('docs', added.ids[0]);
    expect(item.text).toMatch(/14 days/);
    const edited = await client.editItem('docs', added.ids[0], { text: 'Refunds are paid within 10 days of a return.', metadata: { reviewed: true } });
    expect(edited.text).toMatch(/10 days/);
    expect(edited.metadata).toMatchObject({ topic: 'refunds', reviewed: true });

    const found = await client.search('docs', 'how long until I get my money back?', { n: 1 });
    expect(found.items[0].id).toBe(added.ids[0]);
    expect(found.searchQuery).toBe('how long until I get my money back?');

    const both = await client.searchVaults('refund for a return', { docs: 1, faq: 1 }, { n: 2 });
    expect(new Set(both.items.map((i) => i.vault))).toEqual(new Set(['docs', 'faq']));
    const short = await client.searchVaults('refund', { faq: 3 }, { n: 3 });
    expect(short.shortfalls).toEqual([{ vault: 'faq', wanted: 3, got: 1 }]);

    const listed = await client.listVaults();
    expect(listed.vaults.map((v) => v.name).sort()).toEqual(['docs', 'faq']);

    const exported = await client.exportVault('docs');
    expect(exported).toMatchObject({ format: 'par-vault', vault: 'docs' });
    expect((exported.items as unknown[]).length).toBe(2);
    const imported = await client.importVault('copy', exported);
    expect(imported).toEqual({ vault: 'copy', imported: 2 });
    expect((await client.getItem('copy', added.ids[0])).text).toMatch(/10 days/);

    await client.deleteItem('docs', added.ids[0]);
    await expectApiError(client.getItem('docs', added.ids[0]), 404, 'item_not_found', /docs/);
    await expectApiError(client.deleteItem('docs', added.ids[0]), 404, 'item_not_found');
  });

  test('service errors come back as 4xx with the service code', async () => {
    const { client } = await api.clientWith({ vaults: { '*': 'admin' } });
    await expectApiError(client.search('docs', 'x', { n: 0 }), 400, 'invalid_body', /body.n must be >= 1/);
    await expectApiError(client.importVault('docs', { format: 'par-vault', items: [{ text: 'no id' }] }), 400, 'bad_import', /#0/);
    await expectApiError(client.addItem('Bad Name!', 'x'), 400, 'bad_vault_name');
  });
});

describe('API keys', () => {
  const raw = (pathname: string, init: RequestInit = {}) => fetch(api.url + pathname, init);

  test('no key, a malformed header, a wrong key and a revoked key are refused with 401', async () => {
    const none = await raw('/v1/vaults');
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) } });
    expect((await raw('/v1/vaults', { headers: { authorization: 'Basic abc' } })).status).toBe(401);

    const { key, keyId, client } = await api.clientWith({ vaults: { docs: 'read' } });
    await expect(client.listVaults()).resolves.toBeDefined();
    const wrong = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expectApiError(new ParClient({ baseUrl: api.url, apiKey: wrong }).listVaults(), 401, 'unauthorized', /not valid/);
    await expectApiError(new ParClient({ baseUrl: api.url, apiKey: 'par_0000000000000000_' + 'x'.repeat(43) }).listVaults(), 401, 'unauthorized');

    expect(await api.keys.revoke(keyId)).toBe(true);
    await expectApiError(client.listVaults(), 401, 'unauthorized', /revoked/);
  });

  test('keys are stored hashed', async () => {
    const { key } = await api.clientWith({ vaults: { docs: 'read' } });
    const bytes = fs.readFileSync(path.join(api.dataDir, 'api-keys.sqlite'));
    expect(bytes.includes(Buffer.from(key.replace(/^par_[0-9a-f]{16}_/, '')))).toBe(false);
  });

  test("a key never reads or writes another key's vaults; levels are enforced", async () => {
    const alice = (await api.clientWith({ vaults: { alice: 'write' } })).client;
    const bob = (await api.clientWith({ vaults: { bob: 'read' } })).client;
    const added = await alice.addItem('alice', 'Alice keeps her notes here.');
    await expectApiError(bob.search('alice', 'notes'), 403, 'forbidden', /no read access to vault "alice"/);
    await expectApiError(bob.getItem('alice', added.ids[0]), 403, 'forbidden');
    await expectApiError(bob.listItems('alice'), 403, 'forbidden');
    await expectApiError(bob.exportVault('alice'), 403, 'forbidden');
    await expectApiError(bob.searchVaults('notes', ['bob', 'alice']), 403, 'forbidden', /alice/);
    await expectApiError(bob.searchVaults('notes', { bob: 1, alice: 1 }), 403, 'forbidden', /alice/);
    await expectApiError(bob.addItem('bob', 'read-only key writing'), 403, 'forbidden', /no write access/);
    await expectApiError(alice.importVault('alice', { format: 'par-vault', items: [] }), 403, 'forbidden', /admin/);
    const bobsList = await bob.listVaults();
    expect(bobsList.vaults.map((v) => v.name)).not.toContain('alice');
    // Nothing leaked or changed: alice's item is still hers alone.
    expect((await alice.getItem('alice', added.ids[0])).text).toMatch(/Alice/);
  });

  test('health and the OpenAPI document need no key; whoami shows the grants', async () => {
    expect((await raw('/healthz')).status).toBe(200);
    const doc = (await (await raw('/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    const { client, keyId } = await api.clientWith({ vaults: { docs: 'read' }, flows: ['refund_approval'] });
    expect(await client.whoami()).toMatchObject({ keyId, grants: { vaults: { docs: 'read' }, flows: ['refund_approval'] }, insecureLocal: false });
  });
});

describe('malformed and oversized requests', () => {
  let key: string;
  beforeAll(async () => {
    key = (await api.clientWith({ vaults: { docs: 'write' } })).key;
  });
  const post = (pathname: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(api.url + pathname, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers } });

  test('bad JSON is a 400 malformed_json', async () => {
    const res = await post('/v1/vaults/docs/items', '{"text": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('malformed_json');
  });

  test('schema violations name the field', async () => {
    const cases: [string, RegExp][] = [
      ['{}', /body.text is required/],
      ['{"text": 5}', /body.text must be a string/],
      ['{"text": "x", "extra": 1}', /body.extra is not a known field/],
      ['[1,2]', /body must be an object/],
      ['{"text": "x", "metadata": []}', /body.metadata must be an object/],
    ];
    for (const [body, message] of cases) {
      const res = await post('/v1/vaults/docs/items', body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe('invalid_body');
      expect(json.error.message).toMatch(message);
    }
    expect((await post('/v1/vaults/docs/items', '')).status).toBe(400);
  });

  test('a body over the limit gets 413 with a clear message, and nothing is stored', async () => {
    const before = (await vaults.listItems('docs', { limit: 10_000 })).items.length;
    const res = await post('/v1/vaults/docs/items', JSON.stringify({ text: 'x'.repeat(100 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringMatching(/limit of 65536 bytes/) } });
    expect((await vaults.listItems('docs', { limit: 10_000 })).items.length).toBe(before);
  });

  test('non-JSON content types, unknown routes and wrong methods', async () => {
    expect((await post('/v1/vaults/docs/items', 'text=hi', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const nf = await fetch(`${api.url}/v1/nope`, { headers: { authorization: `Bearer ${key}` } });
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrong = await fetch(`${api.url}/v1/vaults/docs/search`, { headers: { authorization: `Bearer ${key}` } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});
