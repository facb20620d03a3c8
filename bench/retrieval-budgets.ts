/**
 * Issue 14's budgets on this machine: the query path of a 10,000-item vault (query embedding +
 * hybrid search; the rerank stage is off by default, and bench/rerank-cost.ts measures what it
 * would add) against p50 <= 30 ms, and vault ingest against the embedder's raw
 * batched ONNX throughput (the limit; target: ingest >= 80% of it).
 *
 *   node bin/run-ts.js bench/retrieval-budgets.ts [--items 10000] [--queries 200]
 *
 * Other agents may share the machine: the load average is printed at the start and the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalOnnxEmbedder } from '../activities/embeddings/local-onnx';
import { VaultService } from '../activities/vaults/service';
import { rawEmbeddingThroughput } from './lib/raw-embedding';
import { percentile } from './lib/stats';
import { flag, rng } from './vault-bench-data';
import { embeddedVaultService } from './lib/embedded-vault';

const SUBJECTS = 'customer refund invoice shipment parcel warehouse router database backup release pipeline laptop contract meeting budget ticket server account password report'.split(' ');
const VERBS = 'was delayed|failed twice|needs approval|moved to Friday|is overdue|was escalated|got cancelled|passed review|is blocked|was restored'.split('|');
const DETAILS = 'in the Berlin office|for the Q3 audit|after the outage|for customer 4471|before the launch|during the migration|on the night shift|for the new region|per the SLA|in the staging cluster'.split('|');

function items(n: number): string[] {
  const r = rng(14);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => `The ${pick(SUBJECTS)} ${pick(VERBS)} ${pick(DETAILS)}; the ${pick(SUBJECTS)} ${pick(VERBS)} ${pick(DETAILS)} (note ${i}).`);
}

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const n = flag('items', 10_000);
  const nq = flag('queries', 200);
  const texts = items(n);
  console.log(`retrieval budgets: ${n} items, ${os.cpus().length} CPUs, load average ${load()} (other agents share this machine)`);
  const raw = await rawEmbeddingThroughput(texts.slice(0, Math.min(n, 1024)));
  console.log(`raw batched ONNX throughput (${raw.model}, 1,024 texts in one call): ${raw.textsPerSecond.toFixed(0)} texts/s`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-budgets-'));
  const embedder = await LocalOnnxEmbedder.create();
  const svc = await embeddedVaultService(dir, { embedder });
  try {
    // The path `par vault add` takes: batches of 64, the next embedded while one is written.
    const t0 = performance.now();
    await svc.putItemsInBatches('budget', texts.map((text, k) => ({ id: String(k), text, metadata: {} })));
    const ingestPerSecond = n / ((performance.now() - t0) / 1000);
    console.log(`vault ingest (putItemsInBatches, embedded store): ${ingestPerSecond.toFixed(0)} items/s = ${((100 * ingestPerSecond) / raw.textsPerSecond).toFixed(0)}% of raw (target >= 80%)`);

    const r = rng(7);
    const queries = Array.from({ length: nq }, (_, i) => `which ${SUBJECTS[Math.floor(r() * SUBJECTS.length)]} ${VERBS[Math.floor(r() * VERBS.length)]} (${i})`);
    await svc.getSimilar('budget', 'warm-up', { n: 10 });
    const embedMs: number[] = [];
    const pathMs: number[] = [];
    const vectorOnlyMs: number[] = [];
    for (const q of queries) {
      const e0 = performance.now();
      await embedder.embed([`${q} [embed only]`]);
      embedMs.push(performance.now() - e0);
      const t = performance.now();
      await svc.getSimilar('budget', q, { n: 10 });
      pathMs.push(performance.now() - t);
      const v = performance.now();
      await svc.getSimilar('budget', `${q} [vector]`, { n: 10, hybrid: false });
      vectorOnlyMs.push(performance.now() - v);
    }
    const p = (xs: number[], k: number) => percentile([...xs].sort((a, b) => a - b), k).toFixed(1);
    console.log(`query path, ${n}-item vault (embed + hybrid search, no rerank stage): p50 ${p(pathMs, 50)} ms, p95 ${p(pathMs, 95)} ms (target p50 <= 30 ms)`);
    console.log(`  query embedding alone: p50 ${p(embedMs, 50)} ms; embed + vector-only search: p50 ${p(vectorOnlyMs, 50)} ms`);
  } finally {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average at the end: ${load()}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
