import fs from 'node:fs';
import { VaultError } from '../../activities/vaults/errors';
import type { VaultService } from '../../activities/vaults/service';
import { serviceIn, tempDir } from './service-fixture';

const dir = tempDir('par-vaults-');
let svc: VaultService;
let clock = Date.parse('2026-01-01T00:00:00Z');
const tick = () => new Date((clock += 1000));

beforeAll(async () => {
  svc = await serviceIn(dir, { now: tick });
});
afterAll(async () => {
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const FACTS = [
  { text: 'PostgreSQL query timeouts are usually fixed by adding an index or reducing lock contention.', metadata: { topic: 'db', lang: 'en' } },
  { text: 'Our refund policy allows returns within 30 days of purchase with a receipt.', metadata: { topic: 'billing', lang: 'en' } },
  { text: 'The office cafeteria serves vegetarian lasagna on Fridays.', metadata: { topic: 'office', lang: 'en' } },
  { text: 'Kubernetes pods restart when their liveness probe fails repeatedly.', metadata: { topic: 'ops', lang: 'en' } },
  { text: 'Die Rückerstattung erfolgt innerhalb von 14 Tagen.', metadata: { topic: 'billing', lang: 'de' } },
];

test('add, get, count and list: items get stable ids, dates and their metadata', async () => {
  const added = await svc.addMany('kb', FACTS);
  expect(added).toHaveLength(5);
  expect(new Set(added.map((i) => i.id)).size).toBe(5);
  expect(added[0]!.created).toBe(added[0]!.updated);
  expect(await svc.count('kb')).toBe(5);
  expect(await svc.count('kb', { topic: 'billing' })).toBe(2);
  const { items, missing } = await svc.getItems('kb', [added[1]!.id, 'nope']);
  expect(items[0]).toMatchObject({ vault: 'kb', text: FACTS[1]!.text, metadata: { topic: 'billing', lang: 'en' } });
  expect(missing).toEqual(['nope']);
  const page = await svc.listItems('kb', { limit: 3 });
  expect(page.items).toHaveLength(3);
  const rest = await svc.listItems('kb', { limit: 3, cursor: page.cursor });
  expect([...page.items, ...rest.items].map((i) => i.id)).toEqual(added.map((i) => i.id));
});

test('get_similar ranks by meaning, keeps every score, and filters on metadata', async () => {
  const hits = await svc.getSimilar('kb', 'How can I get my money back?', { n: 3 });
  expect(hits[0]!.text).toMatch(/refund policy/);
  expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  const exact = await svc.getSimilar('kb', FACTS[3]!.text, { n: 1 });
  expect(exact[0]!.score).toBeCloseTo(1, 3); // an exact match keeps its score (the seed dropped it)
  const de = await svc.getSimilar('kb', 'money back', { n: 5, filter: { lang: 'de' } });
  expect(de.map((h) => h.metadata.lang)).toEqual(['de']);
});

test('long text is split into chunks that share a doc id, and nothing is lost', async () => {
  const para = (i: number) => `Paragraph ${i} explains step ${i} of installing the widget server on a fresh machine. `;
  const text = Array.from({ length: 40 }, (_, i) => para(i)).join('');
  const items = await svc.add('manual', text, { source: 'install.md' });
  expect(items.length).toBeGreaterThan(2);
  const docId = items[0]!.metadata.doc_id;
  items.forEach((it, i) => expect(it.metadata).toMatchObject({ source: 'install.md', doc_id: docId, chunk: i, chunks: items.length }));
  for (let i = 0; i < 40; i++) expect(items.some((it) => it.text.includes(`Paragraph ${i} explains`))).toBe(true);
  const hit = await svc.getSimilar('manual', 'step 37 of installing', { n: 1 });
  expect(hit[0]!.text).toContain('Paragraph 37');
});

test('edit text re-embeds and keeps created; edit metadata merges and null removes a field', async () => {
  const [item] = await svc.add('edits', 'The launch is planned for March.', { owner: 'ann', draft: true });
  const edited = await svc.editText('edits', item!.id, 'Penguins live in Antarctica and eat fish.');
  expect(edited.created).toBe(item!.created);
  expect(edited.updated > item!.updated).toBe(true);
  expect(edited.metadata).toEqual({ owner: 'ann', draft: true });
  const hit = await svc.getSimilar('edits', 'birds of the south pole', { n: 1 });
  expect(hit[0]!.id).toBe(item!.id);
  expect(hit[0]!.score).toBeGreaterThan(0.3);
  const meta = await svc.editMetadata('edits', item!.id, { draft: null, reviewed: 'yes' });
  expect(meta.metadata).toEqual({ owner: 'ann', reviewed: 'yes' });
  expect((await svc.getSimilar('edits', 'birds of the south pole', { n: 1 }))[0]!.score).toBeCloseTo(hit[0]!.score, 5);
  await expect(svc.editText('edits', 'missing-id', 'x')).rejects.toMatchObject({ code: 'item_not_found' });
});

test('deleting items never renumbers the others, and reports ids it did not find', async () => {
  const items = await svc.addMany('del', [{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
  const res = await svc.deleteItems('del', [items[0]!.id, 'ghost']);
  expect(res).toEqual({ deleted: [items[0]!.id], missing: ['ghost'] });
  const left = await svc.listItems('del');
  expect(left.items.map((i) => i.id)).toEqual([items[1]!.id, items[2]!.id]);
});

test('get_similar_from_vaults: a list gives the global top n', async () => {
  await svc.addMany('tickets', [{ text: 'Customer asks for a refund of a broken toaster.' }, { text: 'Login page shows a blank screen.' }]);
  const res = await svc.getSimilarFromVaults('refund request', ['kb', 'tickets'], { n: 3 });
  expect(res.items).toHaveLength(3);
  expect(new Set(res.items.map((i) => i.vault))).toEqual(new Set(['kb', 'tickets']));
  expect(res.shortfalls).toEqual([]);
});

test('get_similar_from_vaults: minimums first, then fill by score, sorted; null is fill-only; shortfalls reported', async () => {
  const res = await svc.getSimilarFromVaults('refund request', { kb: null, tickets: 2, office: 1 }, { n: 4 });
  expect(res.items).toHaveLength(4);
  expect(res.items.filter((i) => i.vault === 'tickets')).toHaveLength(2);
  expect(res.items.map((i) => i.score)).toEqual([...res.items.map((i) => i.score)].sort((a, b) => b - a));
  expect(res.shortfalls).toEqual([{ vault: 'office', wanted: 1, got: 0 }]);
  // "edits" holds one unrelated item: with a minimum of 1 it must appear even though it scores low.
  const forced = await svc.getSimilarFromVaults('refund request', { kb: 0, edits: 1 }, { n: 2 });
  expect(forced.items.map((i) => i.vault).sort()).toEqual(['edits', 'kb']);
  await expect(svc.getSimilarFromVaults('x', { kb: 3, tickets: 3 }, { n: 4 })).rejects.toThrow(/add up to 6, more than n=4/);
  await expect(svc.getSimilarFromVaults('x', { kb: -1 }, { n: 4 })).rejects.toThrow(/minimum for vault kb/);
});

test('settings persist across service instances; export and import round-trip a vault', async () => {
  await svc.updateSettings('kb', { personality: 'Terse support agent.', promptTemplate: 'Context:\n{context}\n\nQuestion: {content}' });
  await expect(svc.updateSettings('kb', { promptTemplate: 'no placeholder' })).rejects.toThrow(/\{content\}/);
  const reopened = await serviceIn(dir);
  expect(await reopened.getSettings('kb')).toEqual({ personality: 'Terse support agent.', promptTemplate: 'Context:\n{context}\n\nQuestion: {content}' });
  const dump = await reopened.exportVault('kb');
  expect(dump.items).toHaveLength(5);
  const imported = await reopened.importVault(JSON.parse(JSON.stringify(dump)), 'kb-copy');
  expect(imported).toEqual({ vault: 'kb-copy', imported: 5 });
  const copy = await reopened.exportVault('kb-copy');
  expect(copy.items.map(({ id, text, metadata, created, updated }) => ({ id, text, metadata, created, updated }))).toEqual(
    dump.items.map(({ id, text, metadata, created, updated }) => ({ id, text, metadata, created, updated })),
  );
  expect(copy.settings).toEqual(dump.settings);
  expect((await reopened.getSimilar('kb-copy', 'money back', { n: 1 }))[0]!.text).toMatch(/refund/);
  await expect(reopened.importVault({ items: [] })).rejects.toMatchObject({ code: 'bad_import' });
  await expect(reopened.importVault({ format: 'par-vault', vault: 'z', items: [{ id: 'a' }] })).rejects.toThrow(/item #0/);
});

test('list vaults and delete a vault with its settings', async () => {
  const names = (await svc.listVaults()).map((v) => v.name);
  expect(names).toEqual(expect.arrayContaining(['kb', 'kb-copy', 'manual', 'tickets']));
  expect((await svc.listVaults()).find((v) => v.name === 'tickets')!.items).toBe(2);
  expect(await svc.deleteVault('kb-copy')).toEqual({ deletedItems: 5 });
  expect((await svc.listVaults()).map((v) => v.name)).not.toContain('kb-copy');
  expect(await svc.getSettings('kb-copy')).toEqual({});
  expect(await svc.count('kb')).toBe(5);
});

test('bad input is a typed error naming the problem; nothing is written', async () => {
  await expect(svc.add('bad name!', 'x')).rejects.toMatchObject({ code: 'bad_vault_name' });
  await expect(svc.add('kb', '   ')).rejects.toMatchObject({ code: 'empty_text' });
  await expect(svc.add('kb', 'x', [1] as never)).rejects.toMatchObject({ code: 'bad_metadata' });
  await expect(svc.getSimilar('kb', 'x', { n: 0 })).rejects.toThrow(VaultError);
  await expect(svc.getSimilar('kb', '')).rejects.toThrow(/search text is empty/);
  expect(await svc.count('kb')).toBe(5);
});

test('key-value storage: set, get, delete per namespace', async () => {
  await svc.kv.set('acct-1', 'prefs/theme', { dark: true });
  await svc.kv.set('acct-2', 'prefs/theme', 'light');
  expect(await svc.kv.get('acct-1', 'prefs/theme')).toEqual({ found: true, value: { dark: true } });
  expect(await svc.kv.list('acct-1', 'prefs/')).toEqual([{ key: 'prefs/theme', value: { dark: true } }]);
  expect(await svc.kv.delete('acct-1', 'prefs/theme')).toBe(true);
  expect(await svc.kv.get('acct-1', 'prefs/theme')).toEqual({ found: false });
  expect(await svc.kv.get('acct-2', 'prefs/theme')).toEqual({ found: true, value: 'light' });
});

test('search is hybrid by default: keywords count too, scores stay cosine; hybrid: false ranks by meaning only', async () => {
  // An embedder that cannot tell texts apart isolates the lexical half of the ranking.
  const flat = { model: 'test:flat', dimension: 3, embed: async (t: string[]) => t.map(() => Float32Array.from([1, 0, 0])) };
  const hdir = tempDir('par-hybrid-');
  const hsvc = await serviceIn(hdir, { embedder: flat });
  await hsvc.addMany('h', [{ text: 'General notes about the office.' }, { text: 'Lunch is at noon.' }, { text: 'Parking permits renew in May.' }, { text: 'Zorvath approved the blue paint for the lobby.' }]);
  expect((await hsvc.getSimilar('h', 'what did Zorvath approve?', { n: 2, hybrid: false }))[0]!.text).toBe('General notes about the office.');
  const hybrid = await hsvc.getSimilar('h', 'what did Zorvath approve?', { n: 2 });
  expect(hybrid[0]!.text).toMatch(/Zorvath/);
  expect(hybrid).toHaveLength(2);
  expect(hybrid.every((h) => Math.abs(h.score - 1) < 1e-6)).toBe(true);
  await hsvc.close();
});

test('putItemsInBatches: batches pipelined, progress per batch, every item stored once in order, created kept on a rewrite', async () => {
  const items = Array.from({ length: 150 }, (_, i) => ({ id: `n${i}`, text: `Note ${i}: the parcel for order ${1000 + i} left the warehouse.`, metadata: { i } }));
  const progress: number[] = [];
  const out = await svc.putItemsInBatches('batched', items, (done) => progress.push(done));
  expect(progress).toEqual([0, 64, 128, 150]);
  expect(out.map((it) => it.id)).toEqual(items.map((it) => it.id));
  expect(await svc.count('batched')).toBe(150);
  const again = await svc.putItemsInBatches('batched', items.slice(0, 70).map((it) => ({ ...it, text: `${it.text} (rewritten)` })));
  expect(again.map((it) => it.created)).toEqual(out.slice(0, 70).map((it) => it.created));
  expect(again[0]!.updated > out[0]!.updated).toBe(true);
  expect(await svc.count('batched')).toBe(150);
  expect((await svc.getSimilar('batched', 'order 1042 parcel', { n: 1 }))[0]!.id).toBe('n42');
});
