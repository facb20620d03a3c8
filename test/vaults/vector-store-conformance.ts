/**
 * The one conformance suite of the VectorStore port: every adapter (embedded, Qdrant over the
 * wire) must pass all of it. `open` returns a store on a fresh, empty backend.
 */
import type { VectorStore } from '../../activities/vectors/port';
import { VectorStoreError } from '../../activities/vectors/errors';

const v = (...xs: number[]) => Float32Array.from(xs);

export function vectorStoreConformance(open: () => Promise<VectorStore>): void {
  let store: VectorStore;
  let n = 0;
  let col: string;
  beforeEach(async () => {
    store = await open();
    col = `conf_${Date.now()}_${n++}`;
    await store.ensureCollection(col, 4);
  });
  afterEach(async () => store.close());

  const seed = async () =>
    store.upsert(col, [
      { id: 'a', tenant: 't1', vector: v(1, 0, 0, 0), payload: { text: 'alpha', metadata: { lang: 'en', tags: ['x', 'y'], n: 1, ok: true } } },
      { id: 'b', tenant: 't1', vector: v(0.8, 0.6, 0, 0), payload: { text: 'beta', metadata: { lang: 'de', tags: ['y'], n: 2, ok: false } } },
      { id: 'c', tenant: 't1', vector: v(0, 1, 0, 0), payload: { text: 'gamma', metadata: { lang: 'en', tags: [], n: 3, ok: true } } },
      { id: 'a', tenant: 't2', vector: v(0, 0, 1, 0), payload: { text: 'other tenant, same id' } },
      { id: 'd', tenant: 't2', vector: v(1, 0.1, 0, 0), payload: { text: 'delta' } },
    ]);

  test('ensureCollection is idempotent and refuses another dimension', async () => {
    await store.ensureCollection(col, 4);
    await expect(store.ensureCollection(col, 8)).rejects.toMatchObject({ code: 'dimension_mismatch' });
  });

  test('query ranks by cosine inside the tenant only, with exact scores', async () => {
    await seed();
    const hits = await store.query(col, { tenants: ['t1'], vector: v(2, 0, 0, 0), limit: 10 });
    expect(hits.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(hits.every((h) => h.tenant === 't1')).toBe(true);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[1]!.score).toBeCloseTo(0.8, 5);
    expect(hits[2]!.score).toBeCloseTo(0, 5);
    expect(hits[1]!.payload).toEqual({ text: 'beta', metadata: { lang: 'de', tags: ['y'], n: 2, ok: false } });
  });

  test('limit cuts the ranking; limit 0 returns nothing', async () => {
    await seed();
    expect((await store.query(col, { tenants: ['t1'], vector: v(1, 0, 0, 0), limit: 2 })).map((h) => h.id)).toEqual(['a', 'b']);
    expect(await store.query(col, { tenants: ['t1'], vector: v(1, 0, 0, 0), limit: 0 })).toEqual([]);
  });

  test('a query over several tenants merges them by score; the same id in two tenants is two records', async () => {
    await seed();
    const hits = await store.query(col, { tenants: ['t1', 't2'], vector: v(1, 0, 0, 0), limit: 3 });
    expect(hits.map((h) => `${h.tenant}/${h.id}`)).toEqual(['t1/a', 't2/d', 't1/b']);
    const [other] = await store.get(col, 't2', ['a']);
    expect(other!.payload.text).toBe('other tenant, same id');
  });

  test('a query must name a tenant', async () => {
    await expect(store.query(col, { tenants: [], vector: v(1, 0, 0, 0), limit: 1 })).rejects.toBeInstanceOf(VectorStoreError);
  });

  test('filters match payload paths exactly, and array fields by membership', async () => {
    await seed();
    const ids = async (filter: Record<string, string | number | boolean>) =>
      (await store.query(col, { tenants: ['t1'], vector: v(1, 0, 0, 0), limit: 10, filter })).map((h) => h.id);
    expect(await ids({ 'metadata.lang': 'en' })).toEqual(['a', 'c']);
    expect(await ids({ 'metadata.tags': 'y' })).toEqual(['a', 'b']);
    expect(await ids({ 'metadata.n': 2 })).toEqual(['b']);
    expect(await ids({ 'metadata.ok': true, 'metadata.lang': 'en' })).toEqual(['a', 'c']);
    expect(await ids({ 'metadata.lang': 'fr' })).toEqual([]);
    await expect(store.query(col, { tenants: ['t1'], vector: v(1, 0, 0, 0), limit: 1, filter: { x: { nested: 1 } } })).rejects.toMatchObject({ code: 'bad_filter' });
  });

  test('upsert replaces a record with the same id; get returns records with their vectors', async () => {
    await seed();
    await store.upsert(col, [{ id: 'a', tenant: 't1', vector: v(0, 0, 0, 3), payload: { text: 'alpha 2' } }]);
    expect(await store.count(col, 't1')).toBe(3);
    const [a] = await store.get(col, 't1', ['a']);
    expect(a!.payload).toEqual({ text: 'alpha 2' });
    expect(Array.from(a!.vector).map((x) => Number(x.toFixed(5)))).toEqual([0, 0, 0, 1]);
    expect((await store.get(col, 't1', ['zz', 'c'])).map((r) => r.id)).toEqual(['c']);
  });

  test('a vector of the wrong size is refused and nothing is written', async () => {
    await expect(store.upsert(col, [{ id: 'x', tenant: 't1', vector: v(1, 2, 3), payload: {} }])).rejects.toMatchObject({ code: 'dimension_mismatch' });
    expect(await store.count(col, 't1')).toBe(0);
  });

  test('count, delete and deleteTenant stay inside their tenant', async () => {
    await seed();
    expect(await store.count(col, 't1')).toBe(3);
    expect(await store.count(col, 't1', { 'metadata.lang': 'en' })).toBe(2);
    await store.delete(col, 't1', ['a', 'missing']);
    expect(await store.count(col, 't1')).toBe(2);
    expect(await store.count(col, 't2')).toBe(2);
    await store.deleteTenant(col, 't1');
    expect(await store.count(col, 't1')).toBe(0);
    expect(await store.count(col, 't2')).toBe(2);
    expect(await store.query(col, { tenants: ['t1'], vector: v(1, 0, 0, 0), limit: 5 })).toEqual([]);
  });

  test('scroll pages through a tenant once each, in a stable order, with filters', async () => {
    const recs = Array.from({ length: 23 }, (_, i) => ({ id: `r${i}`, tenant: 'big', vector: v(1, i, 0, 0), payload: { i, even: i % 2 === 0 } }));
    await store.upsert(col, recs);
    await store.upsert(col, [{ id: 'other', tenant: 'small', vector: v(1, 1, 1, 1), payload: {} }]);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.scroll(col, 'big', { limit: 5, cursor });
      seen.push(...page.records.map((r) => r.id));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect([...seen].sort()).toEqual(recs.map((r) => r.id).sort());
    const again: string[] = [];
    cursor = undefined;
    do {
      const page = await store.scroll(col, 'big', { limit: 5, cursor });
      again.push(...page.records.map((r) => r.id));
      cursor = page.cursor;
    } while (cursor);
    expect(again).toEqual(seen);
    const evens = await store.scroll(col, 'big', { limit: 100, filter: { even: true } });
    expect(evens.records).toHaveLength(12);
    expect(evens.cursor).toBeUndefined();
  });

  test('listTenants names every tenant with records', async () => {
    await seed();
    expect(await store.listTenants(col)).toEqual(['t1', 't2']);
    await store.deleteTenant(col, 't2');
    expect(await store.listTenants(col)).toEqual(['t1']);
  });

  test('listCollections names every collection, sorted, once each', async () => {
    await store.ensureCollection(`${col}_b`, 4);
    await store.ensureCollection(col, 4);
    const names = await store.listCollections();
    expect(names.filter((c) => c === col || c === `${col}_b`)).toEqual([col, `${col}_b`]);
    expect([...names].sort()).toEqual(names);
  });

  test('hybrid: a query with text fuses the vector ranking with BM25 over the records\' text, keeping cosine scores', async () => {
    // Vectors put the keyword match ("Zorvath") last by meaning; 150 fillers push it out of the dense candidates.
    const fillers = Array.from({ length: 150 }, (_, i) => ({
      id: `f${i}`,
      tenant: 'h',
      vector: v(1, 0.01 * (i % 10), 0, 0),
      text: `filler note number ${i} about weather`,
      payload: { kind: 'filler' },
    }));
    await store.upsert(col, [
      ...fillers,
      { id: 'z', tenant: 'h', vector: v(0, 0, 1, 0), text: 'Zorvath approved the budget', payload: { kind: 'fact' } },
      { id: 'z-other', tenant: 'other', vector: v(0, 0, 1, 0), text: 'Zorvath in another tenant', payload: { kind: 'fact' } },
    ]);
    const hybrid = await store.query(col, { tenants: ['h'], vector: v(1, 0, 0, 0), limit: 3, text: 'what did Zorvath approve?' });
    expect(hybrid.map((h) => h.id)).toContain('z');
    expect(hybrid).toHaveLength(3);
    const z = hybrid.find((h) => h.id === 'z')!;
    expect(z.score).toBeCloseTo(0, 5);
    expect(z.lexical).toBeGreaterThan(0);
    expect(z.payload).toEqual({ kind: 'fact' });
    expect(hybrid.every((h) => h.tenant === 'h')).toBe(true);
    // Each hit names its places in the two fused rankings: z was first by keywords and not among
    // the vector candidates; the fillers came by meaning, in cosine order.
    expect(z.ranks).toEqual({ lexical: 1 });
    const fillerPlaces = hybrid.filter((h) => h.id !== 'z').map((h) => h.ranks?.vector);
    expect(fillerPlaces.every((r) => typeof r === 'number' && r >= 1)).toBe(true);
    expect(new Set(fillerPlaces).size).toBe(fillerPlaces.length);
    // Without text: vectors only, the keyword match is nowhere near, and no places are given.
    const vectorOnly = await store.query(col, { tenants: ['h'], vector: v(1, 0, 0, 0), limit: 3 });
    expect(vectorOnly.map((h) => h.id)).not.toContain('z');
    expect(vectorOnly.every((h) => h.ranks === undefined)).toBe(true);
    // Filters apply to the keyword ranking too.
    const filtered = await store.query(col, { tenants: ['h'], vector: v(1, 0, 0, 0), limit: 3, text: 'Zorvath', filter: { kind: 'filler' } });
    expect(filtered.map((h) => h.id)).not.toContain('z');
    // The text is kept with the record; deleting a record removes it from the keyword ranking.
    expect((await store.get(col, 'h', ['z']))[0]!.text).toBe('Zorvath approved the budget');
    await store.delete(col, 'h', ['z']);
    expect((await store.query(col, { tenants: ['h'], vector: v(1, 0, 0, 0), limit: 3, text: 'Zorvath' })).map((h) => h.id)).not.toContain('z');
  });

  test('a collection that was never created is a clear error', async () => {
    await expect(store.query('never_made_' + col, { tenants: ['t'], vector: v(1, 0, 0, 0), limit: 1 })).rejects.toMatchObject({ code: 'unknown_collection' });
  });
}
