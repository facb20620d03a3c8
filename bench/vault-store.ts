/**
 * The embedded vector store under load: writes/s with precomputed vectors, searches/s and
 * latency (one thread, then several threads each with its own connection, as several worker
 * processes would), recall@10 against an exact float64 search, a multi-tenant layout, and the
 * approximate (HNSW) index large tenants get: background build time, the longest the build held
 * the event loop, searches/s and recall on in-distribution and on random (hard) queries.
 *
 *   node bin/run-ts.js bench/vault-store.ts [--n 100000] [--dim 384] [--queries 200] [--threads 2] [--tenants 100] [--ann 1]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { EmbeddedVectorStore } from '../activities/vectors/embedded-store';
import { DEFAULT_ANN_OPTIONS } from '../activities/vectors/tenant-ann-index';
import { dataAndQueries, exactTopK, flag, percentile, recallAt, rng } from './vault-bench-data';

interface ThreadJob {
  file: string;
  queries: Float32Array[];
}

async function searchLoop(store: EmbeddedVectorStore, collection: string, tenant: string, queries: Float32Array[]): Promise<{ latencies: number[]; ids: number[][] }> {
  const latencies: number[] = [];
  const ids: number[][] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const hits = await store.query(collection, { tenants: [tenant], vector: q, limit: 10 });
    latencies.push(performance.now() - t0);
    ids.push(hits.map((h) => Number(h.id)));
  }
  return { latencies, ids };
}

async function threadMain(job: ThreadJob): Promise<void> {
  const store = new EmbeddedVectorStore(job.file);
  const queries = job.queries;
  await store.query('bench', { tenants: ['t'], vector: queries[0]!, limit: 10 }); // load
  const t0 = performance.now();
  const { latencies } = await searchLoop(store, 'bench', 't', queries);
  parentPort!.postMessage({ seconds: (performance.now() - t0) / 1000, latencies });
  await store.close();
}

function runThread(job: ThreadJob): Promise<{ seconds: number; latencies: number[] }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: job, execArgv: ['--require', path.join(__dirname, '../bin/ts-hook.js')] });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const n = flag('n', 100_000);
  const dim = flag('dim', 384);
  const nq = flag('queries', 200);
  const threads = flag('threads', 2);
  const tenants = flag('tenants', 100);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-vs-'));
  const file = path.join(dir, 'vectors.sqlite');
  console.log(`embedded vector store: ${n.toLocaleString('en')} x ${dim}-d clustered unit vectors, ${nq} queries, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);

  let t0 = performance.now();
  const { data, queries: all } = dataAndQueries(n, nq * (threads + 1), dim);
  const queries = all.slice(0, nq);
  console.log(`  generated data in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const store = new EmbeddedVectorStore(file);
  await store.ensureCollection('bench', dim);
  t0 = performance.now();
  const BATCH = 1000;
  for (let b = 0; b < n; b += BATCH) {
    await store.upsert('bench', data.slice(b, b + BATCH).map((vector, k) => ({ id: String(b + k), tenant: 't', vector, payload: { text: `item ${b + k}`, metadata: { group: (b + k) % 10 } } })));
  }
  const writeS = (performance.now() - t0) / 1000;
  console.log(`  writes: ${Math.round(n / writeS).toLocaleString('en')} records/s (batches of ${BATCH}, ${writeS.toFixed(1)} s, file ${(fs.statSync(file).size / 1e6).toFixed(0)} MB)`);

  const fresh = new EmbeddedVectorStore(file);
  t0 = performance.now();
  await fresh.query('bench', { tenants: ['t'], vector: queries[0]!, limit: 10 });
  console.log(`  cold load of the collection into memory: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  t0 = performance.now();
  const single = await searchLoop(fresh, 'bench', 't', queries);
  const singleS = (performance.now() - t0) / 1000;
  const lat = [...single.latencies].sort((a, b) => a - b);
  console.log(`  search (1 thread, top 10): ${(nq / singleS).toFixed(1)} searches/s, p50 ${ms(percentile(lat, 50))}, p95 ${ms(percentile(lat, 95))}`);

  const filtered: number[] = [];
  for (const q of queries.slice(0, 50)) {
    const s = performance.now();
    await fresh.query('bench', { tenants: ['t'], vector: q, limit: 10, filter: { 'metadata.group': 3 } });
    filtered.push(performance.now() - s);
  }
  filtered.sort((a, b) => a - b);
  console.log(`  search with a payload filter (1 in 10 match): p50 ${ms(percentile(filtered, 50))}, p95 ${ms(percentile(filtered, 95))}`);

  const truthQ = Math.min(nq, 50);
  const truth = queries.slice(0, truthQ).map((q) => exactTopK(data, q, 10));
  console.log(`  recall@10 vs exact float64 search: ${recallAt(10, truth, single.ids.slice(0, truthQ)).toFixed(4)} (${truthQ} queries)`);
  await fresh.close();

  if (flag('ann', 1)) await annSection(file, data, queries, dim);
  await store.close();

  if (threads > 1) {
    t0 = performance.now();
    const results = await Promise.all(Array.from({ length: threads }, (_, i) => runThread({ file, queries: all.slice(nq * (i + 1), nq * (i + 2)) })));
    const wall = Math.max(...results.map((r) => r.seconds));
    const lats = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    console.log(`  search (${threads} threads, own connection each): ${((threads * nq) / wall).toFixed(1)} searches/s in all, p50 ${ms(percentile(lats, 50))}, p95 ${ms(percentile(lats, 95))}`);
  }

  if (tenants > 1) {
    const mt = new EmbeddedVectorStore(path.join(dir, 'tenants.sqlite'));
    await mt.ensureCollection('bench', dim);
    for (let b = 0; b < n; b += BATCH) {
      await mt.upsert('bench', data.slice(b, b + BATCH).map((vector, k) => ({ id: String(b + k), tenant: `vault:${(b + k) % tenants}`, vector, payload: {} })));
    }
    await mt.query('bench', { tenants: ['vault:0'], vector: queries[0]!, limit: 10 });
    const l: number[] = [];
    for (const [i, q] of queries.entries()) {
      const s = performance.now();
      await mt.query('bench', { tenants: [`vault:${i % tenants}`], vector: q, limit: 10 });
      l.push(performance.now() - s);
    }
    l.sort((a, b) => a - b);
    console.log(`  ${tenants} vaults of ${Math.round(n / tenants).toLocaleString('en')} in one collection, search one vault: p50 ${ms(percentile(l, 50))}, p95 ${ms(percentile(l, 95))}, ${(1000 / (l.reduce((a, b) => a + b, 0) / l.length)).toFixed(0)} searches/s`);
    await mt.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

async function annSection(file: string, data: Float32Array[], queries: Float32Array[], dim: number): Promise<void> {
  const store = new EmbeddedVectorStore(file, { ...DEFAULT_ANN_OPTIONS, minRows: Math.min(DEFAULT_ANN_OPTIONS.minRows, data.length) });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const t0 = performance.now();
  await store.query('bench', { tenants: ['t'], vector: queries[0]!, limit: 10 }); // loads, starts the build
  while (!store.annStatus('bench', 't')?.ready) await new Promise((r) => setTimeout(r, 100));
  loop.disable();
  console.log(
    `  HNSW index (connectivity ${DEFAULT_ANN_OPTIONS.connectivity}, ef ${DEFAULT_ANN_OPTIONS.expansionSearch}, ${DEFAULT_ANN_OPTIONS.oversample}x candidates rescored): built in the background in ${((performance.now() - t0) / 1000).toFixed(1)} s; event loop held at most ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`,
  );
  const hard = (() => {
    const r = rng(7);
    return queries.map(() => {
      const v = Float32Array.from({ length: dim }, () => r() * 2 - 1);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
  })();
  for (const [label, qs] of [['clustered queries', queries], ['random queries (hard)', hard]] as const) {
    const t = performance.now();
    const got = await searchLoop(store, 'bench', 't', qs);
    const secs = (performance.now() - t) / 1000;
    const lat = [...got.latencies].sort((a, b) => a - b);
    const truthQ = Math.min(qs.length, 50);
    const truth = qs.slice(0, truthQ).map((q) => exactTopK(data, q, 10));
    console.log(
      `  search through HNSW, ${label}: ${(qs.length / secs).toFixed(0)} searches/s, p50 ${ms(percentile(lat, 50))}, p95 ${ms(percentile(lat, 95))}, recall@10 ${recallAt(10, truth, got.ids.slice(0, truthQ)).toFixed(4)}`,
    );
  }
  await store.close();
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  void threadMain(workerData as ThreadJob);
}
