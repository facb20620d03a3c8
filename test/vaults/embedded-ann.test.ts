import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedVectorStore } from '../../activities/vectors/embedded-store';
import { annOptionsFromEnv, DEFAULT_ANN_OPTIONS } from '../../activities/vectors/tenant-ann-index';

const DIM = 32;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-ann-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Clustered unit vectors, like sentence embeddings of a few topics; seeded so runs repeat.
function generator(seed: number) {
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: DIM }, rnd));
  return () => {
    const c = centres[Math.floor(((rnd() + 1) / 2) * centres.length) % centres.length]!;
    return Float32Array.from({ length: DIM }, (_, i) => c[i]! + 0.35 * rnd());
  };
}

const ann = { ...DEFAULT_ANN_OPTIONS, minRows: 500 };

async function untilReady(store: EmbeddedVectorStore, tenant: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (store.annStatus('c', tenant)?.ready) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the index of ${tenant} never became ready: ${JSON.stringify(store.annStatus('c', tenant))}`);
}

async function fill(store: EmbeddedVectorStore, n: number, tenant = 'big'): Promise<void> {
  const next = generator(11);
  await store.ensureCollection('c', DIM);
  await store.upsert('c', Array.from({ length: n }, (_, i) => ({ id: `p${i}`, tenant, vector: next(), payload: { even: i % 2 === 0 } })));
}

test('a large tenant is searched through HNSW once built, with exact scores and recall close to the exact scan', async () => {
  const file = path.join(dir, 'recall.sqlite');
  const store = new EmbeddedVectorStore(file, ann);
  const exact = new EmbeddedVectorStore(file);
  await fill(store, 3000);
  const queries = Array.from({ length: 50 }, generator(99));

  // The first search starts the build and is answered by the exact scan meanwhile.
  const first = await store.query('c', { tenants: ['big'], vector: queries[0]!, limit: 10 });
  expect(first).toEqual(await exact.query('c', { tenants: ['big'], vector: queries[0]!, limit: 10 }));
  expect(store.annStatus('c', 'big')).toMatchObject({ rows: 3000 });
  await untilReady(store, 'big');
  expect(store.annStatus('c', 'big')).toMatchObject({ rows: 3000, indexed: 3000, ready: true });

  let found = 0;
  for (const q of queries) {
    const got = await store.query('c', { tenants: ['big'], vector: q, limit: 10 });
    const want = await exact.query('c', { tenants: ['big'], vector: q, limit: 10 });
    const wantIds = new Set(want.map((h) => h.id));
    found += got.filter((h) => wantIds.has(h.id)).length;
    // Whatever the index proposes is scored exactly and returned best first.
    for (const h of got) expect(h.score).toBeCloseTo(want.find((w) => w.id === h.id)?.score ?? h.score, 6);
    expect(got.map((h) => h.score)).toEqual([...got.map((h) => h.score)].sort((a, b) => b - a));
  }
  expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  await store.close();
  await exact.close();
});

test('the index follows this process’s writes at once; filters and small tenants stay exact', async () => {
  const store = new EmbeddedVectorStore(':memory:', ann);
  await fill(store, 1000);
  await fill(store, 100, 'small');
  const probe = Float32Array.from({ length: DIM }, (_, i) => (i === 0 ? 1 : 0));
  await store.query('c', { tenants: ['big'], vector: probe, limit: 5 });
  await untilReady(store, 'big');

  await store.upsert('c', [{ id: 'new', tenant: 'big', vector: probe, payload: { even: false } }]);
  expect((await store.query('c', { tenants: ['big'], vector: probe, limit: 1 }))[0]).toMatchObject({ id: 'new', score: expect.closeTo(1, 5) });
  await store.delete('c', 'big', ['new']);
  expect((await store.query('c', { tenants: ['big'], vector: probe, limit: 10 })).map((h) => h.id)).not.toContain('new');

  // A filter is answered by the scan: every even row is a candidate, however the graph looks.
  const filtered = await store.query('c', { tenants: ['big'], vector: probe, limit: 500, filter: { even: true } });
  expect(filtered).toHaveLength(500);
  await store.query('c', { tenants: ['small'], vector: probe, limit: 5 });
  expect(store.annStatus('c', 'small')).toBeUndefined();
  await store.close();
});

test('a write by another process drops the index; searches stay correct while it is rebuilt', async () => {
  const file = path.join(dir, 'shared.sqlite');
  const a = new EmbeddedVectorStore(file, ann);
  const b = new EmbeddedVectorStore(file);
  await fill(a, 1000);
  const probe = Float32Array.from({ length: DIM }, (_, i) => (i === 1 ? 1 : 0));
  await a.query('c', { tenants: ['big'], vector: probe, limit: 5 });
  await untilReady(a, 'big');
  await b.upsert('c', [{ id: 'from-b', tenant: 'big', vector: probe, payload: {} }]);
  const hits = await a.query('c', { tenants: ['big'], vector: probe, limit: 3 });
  expect(hits[0]).toMatchObject({ id: 'from-b' });
  expect(a.annStatus('c', 'big')).toMatchObject({ rows: 1001 });
  await untilReady(a, 'big');
  expect((await a.query('c', { tenants: ['big'], vector: probe, limit: 3 }))[0]).toMatchObject({ id: 'from-b' });
  await a.close();
  await b.close();
});

test('PAR_VECTOR_ANN settings are checked and named', () => {
  expect(annOptionsFromEnv({})).toMatchObject({ minRows: 20_000 });
  expect(annOptionsFromEnv({ PAR_VECTOR_ANN: 'off' })).toBeUndefined();
  expect(annOptionsFromEnv({ PAR_VECTOR_ANN_MIN_ROWS: '5000' })).toMatchObject({ minRows: 5000 });
  expect(() => annOptionsFromEnv({ PAR_VECTOR_ANN: 'hnsw' })).toThrow(/PAR_VECTOR_ANN=hnsw is not a mode/);
  expect(() => annOptionsFromEnv({ PAR_VECTOR_ANN_MIN_ROWS: 'lots' })).toThrow(/PAR_VECTOR_ANN_MIN_ROWS must be a positive integer/);
});
