/**
 * Ingest throughput with the local embedder: a long document goes through VaultService.add
 * (sentence-aware chunking, embedding in batches, embedded store) and we print chunks/min.
 *
 *   node bin/run-ts.js bench/vault-ingest.ts [--chunks 300] [--chunk-chars 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalOnnxEmbedder } from '../activities/embeddings/local-onnx';
import { VaultService } from '../activities/vaults/service';
import { embeddedVaultService } from './lib/embedded-vault';
import { flag, rng } from './vault-bench-data';

const WORDS = (
  'the system stores each record with its metadata and the index is rebuilt when a node fails while operators review ' +
  'latency budgets for the quarterly report about customer refunds shipping delays and billing errors in several regions ' +
  'engineers deploy a new release after the tests pass and the pipeline publishes artifacts to the registry every night'
).split(' ');

function document(chars: number, seed: number): string {
  const r = rng(seed);
  const out: string[] = [];
  let len = 0;
  while (len < chars) {
    const n = 8 + Math.floor(r() * 20);
    const s = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
    const sentence = `${s[0]!.toUpperCase()}${s.slice(1)}.`;
    out.push(sentence);
    len += sentence.length + 1;
  }
  return out.join(' ');
}

async function main(): Promise<void> {
  const chunks = flag('chunks', 300);
  const chunkChars = flag('chunk-chars', 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-ingest-'));
  // No cache: every chunk is new text, as in a real ingest.
  const embedder = await LocalOnnxEmbedder.create();
  const svc = await embeddedVaultService(dir, { embedder, chunking: { maxChars: chunkChars, overlapChars: Math.floor(chunkChars * 0.15) } });
  const text = document(chunks * chunkChars * 0.87, 5);
  console.log(`ingest: ${(text.length / 1e6).toFixed(2)} MB document, ${chunkChars}-char chunks, local ${embedder.model}, load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
  await svc.add('warmup', 'warm the model up.');
  const t0 = performance.now();
  const items = await svc.add('doc', text);
  const s = (performance.now() - t0) / 1000;
  const tokens = items.reduce((a, i) => a + embedder.tokenize(i.text).length, 0);
  console.log(`  ${items.length} chunks (avg ${Math.round(tokens / items.length)} tokens) in ${s.toFixed(1)} s: ${Math.round((items.length / s) * 60).toLocaleString('en')} chunks/min`);
  const short = Array.from({ length: 500 }, (_, i) => ({ text: `${document(120, 100 + i)}` }));
  const t1 = performance.now();
  await svc.addMany('short', short);
  const s1 = (performance.now() - t1) / 1000;
  console.log(`  500 short items (~120 chars) in ${s1.toFixed(1)} s: ${Math.round((500 / s1) * 60).toLocaleString('en')} items/min`);
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
