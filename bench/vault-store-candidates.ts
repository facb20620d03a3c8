/**
 * The engines considered for the embedded vector store, measured on the same data as
 * bench/vault-store.ts. They are not project dependencies: install them in a scratch folder,
 *
 *   mkdir /tmp/vs-cand && cd /tmp/vs-cand && npm init -y && npm install usearch hnswlib-node sqlite-vec better-sqlite3 && npm rebuild
 *   node bin/run-ts.js bench/vault-store-candidates.ts --from /tmp/vs-cand [--n 50000] [--dim 384] [--queries 100]
 *
 * Candidates that are not installed there are skipped with a note.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedVectorStore } from '../activities/vectors/embedded-store';
import { stringFlag } from './lib/stats';
import { dataAndQueries, exactTopK, flag, percentile, recallAt } from './vault-bench-data';


interface Result {
  engine: string;
  buildS: number;
  qps: number;
  p50: number;
  p95: number;
  recall: number;
}

async function measure(engine: string, build: () => Promise<void> | void, search: (q: Float32Array) => Promise<number[]> | number[], queries: Float32Array[], truth: number[][]): Promise<Result> {
  let t0 = performance.now();
  await build();
  const buildS = (performance.now() - t0) / 1000;
  const lat: number[] = [];
  const ids: number[][] = [];
  t0 = performance.now();
  for (const q of queries) {
    const s = performance.now();
    ids.push(await search(q));
    lat.push(performance.now() - s);
  }
  const qps = queries.length / ((performance.now() - t0) / 1000);
  lat.sort((a, b) => a - b);
  return { engine, buildS, qps, p50: percentile(lat, 50), p95: percentile(lat, 95), recall: recallAt(10, truth, ids.slice(0, truth.length)) };
}

async function main(): Promise<void> {
  // 50k by default keeps the HNSW builds within a short run; the documented figures use --n 100000.
  const n = flag('n', 50_000);
  const dim = flag('dim', 384);
  const nq = flag('queries', 100);
  const from = stringFlag('from', '/tmp/vs-cand');
  const req = createRequire(path.join(path.resolve(from), 'package.json'));
  console.log(`vector engines: ${n.toLocaleString('en')} x ${dim}-d, ${nq} queries, top 10, load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
  const { data, queries } = dataAndQueries(n, nq, dim);
  const truth = queries.slice(0, 50).map((q) => exactTopK(data, q, 10));
  const results: Result[] = [];

  const store = new EmbeddedVectorStore(':memory:');
  await store.ensureCollection('c', dim);
  results.push(
    await measure(
      'PAR embedded (SQLite + exact Float32 scan)',
      async () => {
        for (let b = 0; b < n; b += 1000) await store.upsert('c', data.slice(b, b + 1000).map((vector, k) => ({ id: String(b + k), tenant: 't', vector, payload: {} })));
      },
      async (q) => (await store.query('c', { tenants: ['t'], vector: q, limit: 10 })).map((h) => Number(h.id)),
      queries,
      truth,
    ),
  );
  await store.close();

  try {
    const { HierarchicalNSW } = req('hnswlib-node');
    const index = new HierarchicalNSW('cosine', dim);
    results.push(
      await measure(
        'hnswlib-node (HNSW M=16 efC=100 ef=64)',
        () => {
          index.initIndex(n, 16, 100, 1);
          data.forEach((v, i) => index.addPoint(Array.from(v), i));
          index.setEf(64);
        },
        (q) => index.searchKnn(Array.from(q), 10).neighbors as number[],
        queries,
        truth,
      ),
    );
    results.push(
      await measure(
        'hnswlib-node, same index, ef=256',
        () => index.setEf(256),
        (q) => index.searchKnn(Array.from(q), 10).neighbors as number[],
        queries,
        truth,
      ),
    );
  } catch (err) {
    console.log(`  hnswlib-node skipped: ${(err as Error).message.split('\n')[0]}`);
  }

  try {
    const usearch = req('usearch');
    const index = new usearch.Index({ metric: 'cos', connectivity: 16, dimensions: dim });
    results.push(
      await measure(
        'usearch (HNSW, connectivity 16)',
        () => {
          const keys = new BigUint64Array(n).map((_, i) => BigInt(i));
          const flat = new Float32Array(n * dim);
          data.forEach((v, i) => flat.set(v, i * dim));
          index.add(keys, flat);
        },
        (q) => Array.from(index.search(q, 10).keys as BigUint64Array, (k) => Number(k)),
        queries,
        truth,
      ),
    );
  } catch (err) {
    console.log(`  usearch skipped: ${(err as Error).message.split('\n')[0]}`);
  }

  try {
    const Database = req('better-sqlite3');
    const sqliteVec = req('sqlite-vec');
    const db = new Database(':memory:');
    sqliteVec.load(db);
    const knn = () => db.prepare(`SELECT rowid FROM v WHERE embedding MATCH ? AND k = 10 ORDER BY distance`);
    let stmt: { all: (b: Buffer) => { rowid: number }[] } | undefined;
    results.push(
      await measure(
        'sqlite-vec (vec0, exact)',
        () => {
          db.exec(`CREATE VIRTUAL TABLE v USING vec0(embedding float[${dim}] distance_metric=cosine)`);
          const ins = db.prepare('INSERT INTO v (rowid, embedding) VALUES (?, ?)');
          db.transaction(() => data.forEach((v, i) => ins.run(BigInt(i + 1), Buffer.from(v.buffer))))();
          stmt = knn();
        },
        (q) => stmt!.all(Buffer.from(q.buffer)).map((r) => Number(r.rowid) - 1),
        queries,
        truth,
      ),
    );
  } catch (err) {
    console.log(`  sqlite-vec skipped: ${(err as Error).message.split('\n')[0]}`);
  }

  console.log('engine | build/load s | searches/s | p50 ms | p95 ms | recall@10');
  for (const r of results) console.log(`${r.engine} | ${r.buildS.toFixed(1)} | ${r.qps.toFixed(1)} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.recall.toFixed(3)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
