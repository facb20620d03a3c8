/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
import { MemoryInputError } from '../../activities/memory/errors';
import { freshTenant, memoryTestServices } from './memory-test-services';

let s: Awaited<ReturnType<typeof memoryTestServices>>;
beforeAll(async () => {
  s = await memoryTestServices();
});
afterAll(async () => s?.close());

const tick = () => new Promise((r) => setTimeout(r, 3));

describe('Fact Store', () => {
  test('put is an upsert that keeps created; get returns the JSON value', async () => {
    const tenant = freshTenant('facts');
    const first = await s.facts.put({ tenant, namespace: 'user:ada', key: 'theme', value: 'dark' });
    await tick();
    const second = await s.facts.put({ tenant, namespace: 'user:ada', key: 'theme', value: { mode: 'dark', accent: 'blue' } });
    expect(second.created).toBe(first.created);
    expect(second.updated > first.updated).toBe(true);
    expect((await s.facts.get(tenant, 'user:ada', 'theme'))?.value).toEqual({ mode: 'dark', accent: 'blue' });
    expect(await s.facts.get(tenant, 'user:ada', 'missing')).toBeUndefined();
    await s.facts.put({ tenant, namespace: 'n', key: 'nothing', value: null });
    expect((await s.facts.get(tenant, 'n', 'nothing'))?.value).toBeNull();
  });

  test('list is newest first, limited (default 50), and filters by key prefix', async () => {
    const tenant = freshTenant('facts-list');
    for (let i = 0; i < 55; i++) {
      await s.facts.put({ tenant, namespace: 'proj', key: `${i % 2 ? 'task' : 'note'}:${String(i).padStart(2, '0')}`, value: i });
      await tick();
    }
    const all = await s.facts.list({ tenant, namespace: 'proj' });
    expect(all).toHaveLength(50);
    expect(all[0].value).toBe(54);
    const tasks = await s.facts.list({ tenant, namespace: 'proj', prefix: 'task:', limit: 3 });
    expect(tasks.map((f) => f.key)).toEqual(['task:53', 'task:51', 'task:49']);
    // A prefix with LIKE wildcards is taken literally.
    expect(await s.facts.list({ tenant, namespace: 'proj', prefix: 'task%' })).toEqual([]);
  });

  test('delete removes the fact and its vector; tenants and namespaces are separate', async () => {
    const tenant = freshTenant('facts-del');
    const other = freshTenant('facts-other');
    await s.facts.put({ tenant, namespace: 'user:ada', key: 'city', value: 'Lisbon' });
    expect(await s.facts.get(other, 'user:ada', 'city')).toBeUndefined();
    expect(await s.facts.list({ tenant: other, namespace: 'user:ada' })).toEqual([]);
    expect(await s.facts.similar(other, 'Which city does Ada live in?', 5, -1)).toEqual([]);
    expect((await s.facts.similar(tenant, 'Which city does Ada live in?', 5, 0.2)).map((f) => f.key)).toEqual(['city']);
    expect(await s.facts.delete(tenant, 'user:ada', 'city')).toBe(true);
    expect(await s.facts.delete(tenant, 'user:ada', 'city')).toBe(false);
    expect(await s.facts.get(tenant, 'user:ada', 'city')).toBeUndefined();
    expect(await s.facts.similar(tenant, 'Which city does Ada live in?', 5, -1)).toEqual([]);
  });

  test('bad values are typed errors naming the field', async () => {
    await expect(s.facts.put({ tenant: 't', namespace: 'n', key: 'k', value: undefined as never })).rejects.toThrow(MemoryInputError);
    await expect(s.facts.put({ tenant: 't', namespace: '', key: 'k', value: 1 })).rejects.toThrow(/namespace must not be empty/);
    await expect(s.facts.put({ tenant: 't', namespace: 'n', key: 'k', value: 'x'.repeat(70_000) })).rejects.toThrow(/value is \d+ bytes of JSON; the limit is 65536/);
  });
});
