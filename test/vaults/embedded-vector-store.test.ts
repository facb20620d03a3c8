import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedVectorStore } from '../../activities/vectors/embedded-store';
import { vectorStoreConformance } from './vector-store-conformance';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-evs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('EmbeddedVectorStore (conformance)', () => {
  let i = 0;
  vectorStoreConformance(async () => new EmbeddedVectorStore(path.join(dir, `store-${i++}.sqlite`)));
});

describe('EmbeddedVectorStore (persistence)', () => {
  test('records survive a reopen, and a second connection sees writes made by the first', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const a = new EmbeddedVectorStore(file);
    const b = new EmbeddedVectorStore(file);
    await a.ensureCollection('c', 2);
    await a.upsert('c', [{ id: 'x', tenant: 't', vector: Float32Array.from([1, 0]), payload: { k: 1 } }]);
    // b loads its in-memory copy now, then must notice a's later write.
    expect((await b.query('c', { tenants: ['t'], vector: Float32Array.from([1, 0]), limit: 5 })).map((h) => h.id)).toEqual(['x']);
    await a.upsert('c', [{ id: 'y', tenant: 't', vector: Float32Array.from([0.9, 0.1]), payload: { k: 2 } }]);
    await a.delete('c', 't', ['x']);
    expect((await b.query('c', { tenants: ['t'], vector: Float32Array.from([1, 0]), limit: 5 })).map((h) => h.id)).toEqual(['y']);
    // b's own write keeps its copy current; a notices it; a write to another collection changes neither.
    await b.upsert('c', [{ id: 'z', tenant: 't', vector: Float32Array.from([0, 1]), payload: { k: 3 } }]);
    await a.ensureCollection('other', 2);
    await a.upsert('other', [{ id: 'o', tenant: 't', vector: Float32Array.from([1, 0]), payload: {} }]);
    expect((await b.query('c', { tenants: ['t'], vector: Float32Array.from([1, 0]), limit: 5 })).map((h) => h.id)).toEqual(['y', 'z']);
    expect((await a.query('c', { tenants: ['t'], vector: Float32Array.from([0, 1]), limit: 5 })).map((h) => h.id)).toEqual(['z', 'y']);
    await a.upsert('c', [{ id: 'z', tenant: 't', vector: Float32Array.from([1, 0]), payload: { k: 4 } }]);
    expect((await b.query('c', { tenants: ['t'], vector: Float32Array.from([1, 0]), limit: 1 }))[0]).toMatchObject({ id: 'z', payload: { k: 4 } });
    await a.close();
    await b.close();
    const c = new EmbeddedVectorStore(file);
    const [y] = await c.get('c', 't', ['y']);
    expect(y!.payload).toEqual({ k: 2 });
    await c.close();
  });

  test('exact search agrees with a brute-force reference on random data', async () => {
    const s = new EmbeddedVectorStore(':memory:');
    await s.ensureCollection('r', 16);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const recs = Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, tenant: 't', vector: Float32Array.from({ length: 16 }, rnd), payload: {} }));
    await s.upsert('r', recs);
    const q = Float32Array.from({ length: 16 }, rnd);
    const norm = (x: Float32Array) => Math.sqrt(x.reduce((a, b) => a + b * b, 0));
    const expected = recs
      .map((r) => ({ id: r.id, score: r.vector.reduce((a, b, k) => a + b * q[k]!, 0) / norm(r.vector) / norm(q) }))
      .sort((x, y) => y.score - x.score)
      .slice(0, 10);
    const got = await s.query('r', { tenants: ['t'], vector: q, limit: 10 });
    expect(got.map((h) => h.id)).toEqual(expected.map((e) => e.id));
    got.forEach((h, k) => expect(h.score).toBeCloseTo(expected[k]!.score, 4));
    await s.close();
  });
});
