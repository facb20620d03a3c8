// The ReasoningBank through the API (list, get, search, delete), over the real memory services;
// a tenant's items are guarded like its memories: the vault "memory:<tenant>".
import { ParApiError } from '../../client/sdk';
import { freshTenant, memoryTestServices } from '../memory/memory-test-services';
import { startTestApi, type TestApi } from './helpers/api';

let api: TestApi;
let memory: Awaited<ReturnType<typeof memoryTestServices>>;
const ada = freshTenant('rb-api-ada');
const bob = freshTenant('rb-api-bob');
let sqlId: string;
let emailId: string;
let deployId: string;
let bobSqlId: string;

beforeAll(async () => {
  memory = await memoryTestServices();
  api = await startTestApi({ services: { memory: { vault: memory.vault, facts: memory.facts, reasoning: memory.reasoning } } });
  const add = async (tenant: string, title: string, content: string, taskSignature: string, runId: string) =>
    (await memory.reasoning.add(tenant, { title, description: `learned from ${runId}`, content, taskSignature, runId, antiPatterns: [] })).id;
  sqlId = await add(ada, 'Check the schema first', 'Read the table schema before writing any SQL query.', 'write a SQL query for a sales report', 'r1');
  emailId = await add(ada, 'Ask for the tone', 'Ask which tone the customer wants before drafting an email.', 'draft a customer support email', 'r2');
  deployId = await add(ada, 'Dry-run the deploy', 'Run the deployment with --dry-run and read the plan before applying it.', 'deploy the web service to production', 'r3');
  // The email strategy worked twice: it is now the most confident.
  await memory.reasoning.applyOutcome(ada, [emailId], 'success', 'r4');
  await memory.reasoning.applyOutcome(ada, [emailId], 'success', 'r5');
  // Bob has a strategy for the very same kind of task: it must never reach Ada.
  bobSqlId = await add(bob, 'Use the reporting replica', 'Query the read replica, never the primary, for sales reports in SQL.', 'write a SQL query for a sales report', 'b1');
});
afterAll(async () => {
  await api?.close();
  await memory?.close();
});

const call = (key: string) => api.call(key);

const ids = (items: { id: string }[]) => items.map((i) => i.id);

test('list is highest confidence first, limit cuts it and total counts all; get returns the whole item', async () => {
  const read = call((await api.clientWith({ vaults: { [`memory:${ada}`]: 'read' } })).key);
  const all = await read('GET', `/v1/reasoning/${ada}`);
  expect(all.status).toBe(200);
  expect(all.body.total).toBe(3);
  expect(ids(all.body.items)[0]).toBe(emailId);
  expect(ids(all.body.items).sort()).toEqual([sqlId, emailId, deployId].sort());
  expect(all.body.items[0].confidence).toBeCloseTo(0.7, 10);
  expect(all.body.items.map((i: { confidence: number }) => i.confidence)).toEqual([...all.body.items.map((i: { confidence: number }) => i.confidence)].sort((a, b) => b - a));

  const one = await read('GET', `/v1/reasoning/${ada}?limit=1`);
  expect([ids(one.body.items), one.body.total]).toEqual([[emailId], 3]);
  const badLimit = await read('GET', `/v1/reasoning/${ada}?limit=0`);
  expect([badLimit.status, badLimit.body.error.code]).toEqual([400, 'invalid_query']);
  expect(badLimit.body.error.message).toMatch(/limit/);

  const got = await read('GET', `/v1/reasoning/${ada}/${sqlId}`);
  expect(got.status).toBe(200);
  expect(got.body).toEqual({
    id: sqlId,
    title: 'Check the schema first',
    description: 'learned from r1',
    content: 'Read the table schema before writing any SQL query.',
    taskSignature: 'write a SQL query for a sales report',
    antiPatterns: [],
    evidenceRunIds: ['r1'],
    confidence: 0.5,
    created: expect.any(String),
    updated: expect.any(String),
    lastUsed: null,
  });
  const missing = await read('GET', `/v1/reasoning/${ada}/no-such-item`);
  expect([missing.status, missing.body.error.code]).toEqual([404, 'reasoning_item_not_found']);
  // Bob's item does not exist as far as Ada's tenant is concerned.
  const other = await read('GET', `/v1/reasoning/${ada}/${bobSqlId}`);
  expect([other.status, other.body.error.code]).toEqual([404, 'reasoning_item_not_found']);
});

test('search returns the advice a run would get: the matching strategy first, scored, only the tenant own items, read-only', async () => {
  const read = call((await api.clientWith({ vaults: { [`memory:${ada}`]: 'read' } })).key);
  const found = await read('POST', `/v1/reasoning/${ada}/search`, { task: 'write an SQL query for the monthly sales numbers' });
  expect(found.status).toBe(200);
  expect(found.body.items[0].id).toBe(sqlId);
  expect(ids(found.body.items)).not.toContain(bobSqlId);
  for (const it of found.body.items) {
    expect(it.similarity).toBeGreaterThanOrEqual(0.3);
    expect(it.score).toBeCloseTo(0.75 * it.similarity + 0.25 * it.confidence, 10);
  }
  // The same as the library gives a run.
  expect(ids(found.body.items)).toEqual(ids(await memory.reasoning.retrieve(ada, 'write an SQL query for the monthly sales numbers')));

  const email = await read('POST', `/v1/reasoning/${ada}/search`, { task: 'reply to an angry customer by email', limit: 1 });
  expect(ids(email.body.items)).toEqual([emailId]);
  // Searching is not a run using the advice.
  expect((await memory.reasoning.get(ada, sqlId)).lastUsed).toBeNull();

  // Bob's search sees his own item, and none of Ada's.
  const bobRead = call((await api.clientWith({ vaults: { [`memory:${bob}`]: 'read' } })).key);
  const bobs = await bobRead('POST', `/v1/reasoning/${bob}/search`, { task: 'write an SQL query for the monthly sales numbers' });
  expect(ids(bobs.body.items)).toEqual([bobSqlId]);
  expect(ids((await bobRead('GET', `/v1/reasoning/${bob}`)).body.items)).toEqual([bobSqlId]);
});

test('bad search bodies are 400 invalid_body naming the field', async () => {
  const read = call((await api.clientWith({ vaults: { [`memory:${ada}`]: 'read' } })).key);
  const cases: [unknown, RegExp][] = [
    [{}, /^body\.task is required$/],
    [{ task: '' }, /^body\.task must be at least 1 characters$/],
    [{ task: '   ' }, /^body\.task must not be blank$/],
    [{ task: 42 }, /^body\.task must be a string/],
    [{ task: 'x', limit: 21 }, /^body\.limit must be <= 20$/],
    [{ task: 'x', limit: 1.5 }, /^body\.limit must be an integer$/],
    [{ task: 'x', query: 'y' }, /^body\.query is not a known field/],
  ];
  for (const [body, message] of cases) {
    const r = await read('POST', `/v1/reasoning/${ada}/search`, body);
    expect([body, r.status, r.body.error.code]).toEqual([body, 400, 'invalid_body']);
    expect(r.body.error.message).toMatch(message);
  }
});

test("a key granted one tenant gets 403 on another's items, and a read key cannot delete", async () => {
  const adaWrite = call((await api.clientWith({ vaults: { [`memory:${ada}`]: 'write', [bob]: 'admin' } })).key);
  for (const [method, path, body] of [
    ['GET', `/v1/reasoning/${bob}`],
    ['GET', `/v1/reasoning/${bob}/${bobSqlId}`],
    ['POST', `/v1/reasoning/${bob}/search`, { task: 'sales report SQL' }],
    ['DELETE', `/v1/reasoning/${bob}/${bobSqlId}`],
  ] as [string, string, unknown][]) {
    const r = await adaWrite(method, path, body);
    expect([method, path, r.status, r.body.error.code]).toEqual([method, path, 403, 'forbidden']);
    expect(r.body.error.message).toMatch(new RegExp(`memory:${bob}`));
  }
  const adaRead = call((await api.clientWith({ vaults: { [`memory:${ada}`]: 'read' } })).key);
  const refused = await adaRead('DELETE', `/v1/reasoning/${ada}/${deployId}`);
  expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
  expect(refused.body.error.message).toMatch(/no write access/);
  expect((await memory.reasoning.get(bob, bobSqlId)).id).toBe(bobSqlId);
  expect((await memory.reasoning.get(ada, deployId)).id).toBe(deployId);
});

test('delete removes the item from list, get and search; deleting it again is 404', async () => {
  const write = call((await api.clientWith({ vaults: { [`memory:${ada}`]: 'write' } })).key);
  const task = { task: 'ship the new web service version to production' };
  expect(ids((await write('POST', `/v1/reasoning/${ada}/search`, task)).body.items)[0]).toBe(deployId);

  const del = await write('DELETE', `/v1/reasoning/${ada}/${deployId}`);
  expect(del.status).toBe(200);
  expect(del.body).toMatchObject({ deleted: deployId, item: { id: deployId, title: 'Dry-run the deploy' } });
  const gone = await write('GET', `/v1/reasoning/${ada}/${deployId}`);
  expect([gone.status, gone.body.error.code]).toEqual([404, 'reasoning_item_not_found']);
  const list = await write('GET', `/v1/reasoning/${ada}`);
  expect([ids(list.body.items).includes(deployId), list.body.total]).toEqual([false, 2]);
  expect(ids((await write('POST', `/v1/reasoning/${ada}/search`, task)).body.items)).not.toContain(deployId);
  const again = await write('DELETE', `/v1/reasoning/${ada}/${deployId}`);
  expect([again.status, again.body.error.code]).toEqual([404, 'reasoning_item_not_found']);
  // Bob's items are untouched.
  expect((await memory.reasoning.list(bob)).map((i) => i.id)).toEqual([bobSqlId]);
});

test('the typed client: listReasoning, getReasoning, searchReasoning, deleteReasoning', async () => {
  const tenant = freshTenant('rb-api-sdk');
  const { id } = await memory.reasoning.add(tenant, {
    title: 'Confirm the time zone',
    description: '',
    content: 'Ask for the time zone before scheduling a meeting.',
    taskSignature: 'schedule a meeting with a client',
    runId: 's1',
  });
  const { client } = await api.clientWith({ vaults: { [`memory:${tenant}`]: 'write' } });
  expect(await client.listReasoning(tenant, { limit: 5 })).toEqual({ items: [expect.objectContaining({ id })], total: 1 });
  expect((await client.getReasoning(tenant, id)).title).toBe('Confirm the time zone');
  const [hit] = (await client.searchReasoning(tenant, 'book a call with a customer', { limit: 3 })).items;
  expect([hit.id, typeof hit.score, typeof hit.similarity]).toEqual([id, 'number', 'number']);
  expect((await client.deleteReasoning(tenant, id)).deleted).toBe(id);
  const err = await client.getReasoning(tenant, id).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ParApiError);
  expect([(err as ParApiError).status, (err as ParApiError).code]).toEqual([404, 'reasoning_item_not_found']);
});

test('an API whose memory services have no ReasoningBank answers 503 reasoning_unavailable', async () => {
  const bare = await startTestApi({ services: { memory: { vault: memory.vault, facts: memory.facts } } });
  try {
    const key = (await bare.clientWith({ vaults: { [`memory:${ada}`]: 'read' } })).key;
    const res = await fetch(`${bare.url}/v1/reasoning/${ada}`, { headers: { authorization: `Bearer ${key}` } });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([503, 'reasoning_unavailable']);
  } finally {
    await bare.close();
  }
});
