// Memories and facts through the API, over the real memory services; tenants are guarded like
// vaults named memory:<tenant>.
import { memoryTestServices } from '../memory/memory-test-services';
import { loadOpenApi } from '../../client/api/openapi';
import { startTestApi, type TestApi } from './helpers/api';

let api: TestApi;
let memory: Awaited<ReturnType<typeof memoryTestServices>>;

beforeAll(async () => {
  memory = await memoryTestServices();
  api = await startTestApi({ services: { memory: { vault: memory.vault, facts: memory.facts } } });
});
afterAll(async () => {
  await api?.close();
  await memory?.close();
});

const call = (key: string) => api.call(key);

test('save, search, list, get, edit, delete and restore memories', async () => {
  const ada = call(api.clientWith({ vaults: { 'memory:ada': 'write' } }).key);
  const saved = await ada('POST', '/v1/memories/ada', { content: 'Ada prefers tea over coffee.' });
  expect(saved.status).toBe(201);
  const id = saved.body.entry.id as string;
  expect(saved.body.plan.action).toBe('add');
  await ada('POST', '/v1/memories/ada', { content: 'Ada lives in London.' });

  const found = await ada('POST', '/v1/memories/ada/search', { query: 'what does Ada like to drink?', limit: 1 });
  expect(found.status).toBe(200);
  expect(found.body.entries[0].id).toBe(id);

  expect((await ada('GET', '/v1/memories/ada')).body.entries).toHaveLength(2);
  expect((await ada('GET', `/v1/memories/ada/${id}`)).body.content).toMatch(/tea/);
  const edited = await ada('PATCH', `/v1/memories/ada/${id}`, { content: 'Ada prefers green tea.' });
  expect(edited.body.content).toBe('Ada prefers green tea.');
  expect((await ada('DELETE', `/v1/memories/ada/${id}`)).body.deleted).toBeTruthy();
  expect((await ada('GET', '/v1/memories/ada')).body.entries).toHaveLength(1);
  expect((await ada('GET', '/v1/memories/ada?deleted=true')).body.entries[0].id).toBe(id);
  expect((await ada('POST', `/v1/memories/ada/${id}/restore`)).body.deleted).toBeNull();
  const missing = await ada('GET', '/v1/memories/ada/nope');
  expect([missing.status, missing.body.error.code]).toEqual([404, 'memory_not_found']);
  const bad = await ada('POST', '/v1/memories/ada/search', { query: '' });
  expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_body']);
});

test('facts: put, get, list, search, delete', async () => {
  const ada = call(api.clientWith({ vaults: { 'memory:ada': 'write' } }).key);
  expect((await ada('PUT', '/v1/facts/ada/profile/city', { value: 'London' })).body).toMatchObject({ key: 'city', value: 'London' });
  await ada('PUT', '/v1/facts/ada/profile/pets', { value: ['cat'] });
  expect((await ada('GET', '/v1/facts/ada/profile/city')).body.value).toBe('London');
  expect((await ada('GET', '/v1/facts/ada/profile')).body.facts.map((f: { key: string }) => f.key).sort()).toEqual(['city', 'pets']);
  const similar = await ada('POST', '/v1/facts/ada/search', { query: 'where does she live', limit: 5 });
  expect(similar.status).toBe(200);
  expect(Array.isArray(similar.body.facts)).toBe(true);
  expect((await ada('DELETE', '/v1/facts/ada/profile/city')).body).toEqual({ deleted: 'city' });
  const gone = await ada('GET', '/v1/facts/ada/profile/city');
  expect([gone.status, gone.body.error.code]).toEqual([404, 'fact_not_found']);
});

test('facts search takes `query` like every search; `text`, its deprecated name, still works; both at once is refused', async () => {
  const { client, key } = api.clientWith({ vaults: { 'memory:grace': 'write' } });
  const grace = call(key);
  await grace('PUT', '/v1/facts/grace/profile/city', { value: 'Arlington' });
  await grace('PUT', '/v1/facts/grace/profile/language', { value: 'COBOL' });
  const byQuery = await grace('POST', '/v1/facts/grace/search', { query: 'which programming language', limit: 2, minSimilarity: -1 });
  const byText = await grace('POST', '/v1/facts/grace/search', { text: 'which programming language', limit: 2, minSimilarity: -1 });
  expect(byQuery.status).toBe(200);
  expect(byQuery.body.facts.map((f: { key: string }) => f.key).sort()).toEqual(['city', 'language']);
  expect(byText.body).toEqual(byQuery.body);
  const sdk = await client.searchFacts('grace', 'which programming language', { limit: 2, minSimilarity: -1 });
  expect(sdk).toEqual(byQuery.body);
  const both = await grace('POST', '/v1/facts/grace/search', { query: 'a', text: 'b' });
  expect([both.status, both.body.error.code]).toEqual([400, 'invalid_body']);
  const neither = await grace('POST', '/v1/facts/grace/search', { limit: 2 });
  expect([neither.status, neither.body.error.code]).toEqual([400, 'invalid_body']);
  expect(neither.body.error.message).toMatch(/query is required/);
  const schema = loadOpenApi().components.schemas.FactSearchRequest as { oneOf: { properties: Record<string, { deprecated?: boolean; description?: string }> }[] };
  const text = schema.oneOf.map((v) => v.properties.text).find(Boolean)!;
  expect(text.deprecated).toBe(true);
  expect(text.description).toMatch(/deprecated.*send `query` instead/);
});

test("a key never reads another tenant's memories or facts; read keys cannot write", async () => {
  const ada = call(api.clientWith({ vaults: { 'memory:ada': 'write' } }).key);
  await ada('POST', '/v1/memories/ada', { content: 'Ada keeps a private diary.' });
  const bob = call(api.clientWith({ vaults: { 'memory:bob': 'read', ada: 'admin' } }).key);
  for (const [method, path, body] of [
    ['GET', '/v1/memories/ada'],
    ['POST', '/v1/memories/ada/search', { query: 'diary' }],
    ['GET', '/v1/facts/ada/profile'],
    ['POST', '/v1/facts/ada/search', { text: 'diary' }],
  ] as [string, string, unknown][]) {
    const r = await bob(method, path, body);
    expect([r.status, r.body.error.code]).toEqual([403, 'forbidden']);
    expect(r.body.error.message).toMatch(/memory:ada/);
  }
  const write = await bob('POST', '/v1/memories/bob', { content: 'x' });
  expect(write.status).toBe(403);
});
