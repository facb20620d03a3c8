/**
 * LoCoMo dialog-turn retrieval: every turn of a conversation goes into that conversation's vault
 * through the real VaultService (local all-MiniLM-L6-v2, embedded store); each question is
 * searched in its conversation's vault and recall@k is the share of its evidence turns found in
 * the top k, averaged per category. Compared with the LoCoMo paper's DRAGON retriever
 * (R@5 56.7, R@10 66.2, R@25 76.7). Also a hybrid ranking: BM25 over the same turns fused with
 * the vector ranking (reciprocal rank fusion).
 *
 * The data set is read in place (CC BY-NC 4.0, evaluation only; never copied into the repo):
 *   node bin/run-ts.js bench/locomo-retrieval.ts [--data ../shared/data/locomo/locomo10.json] [--conversations 2] (all 10: --conversations 10)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDefaultEmbedder } from '../activities/embeddings';
import { EmbeddedVectorStore } from '../activities/vectors/embedded-store';
import { SqlKeyValueStore } from '../activities/vaults/kv-store';
import { VaultService } from '../activities/vaults/service';
import { SqlVaultSettingsStore } from '../activities/vaults/vault-settings-store';
import { flag } from './vault-bench-data';
import { Bm25Index, reciprocalRankFusion } from '../activities/vaults/lexical';

interface Turn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}
interface Qa {
  question: string;
  evidence?: string[];
  category: number;
}
interface Sample {
  sample_id: string;
  qa: Qa[];
  conversation: Record<string, unknown>;
}

// Category numbers as released with the data set.
const CATEGORY: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop', 5: 'adversarial' };
const KS = [5, 10, 25];
const DRAGON: Record<number, number> = { 5: 56.7, 10: 66.2, 25: 76.7 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

function turnsOf(sample: Sample): { id: string; text: string; session: string }[] {
  const out: { id: string; text: string; session: string }[] = [];
  for (const [key, value] of Object.entries(sample.conversation)) {
    if (!/^session_\d+$/.test(key) || !Array.isArray(value)) continue;
    for (const t of value as Turn[]) {
      const photo = t.blip_caption ? ` [shares a photo: ${t.blip_caption}]` : '';
      out.push({ id: t.dia_id, text: `${t.speaker}: ${t.text}${photo}`, session: key });
    }
  }
  return out;
}

type Tally = Record<string, { n: number; sum: Record<number, number> }>;

function add(t: Tally, cat: string, evidence: string[], ranked: string[]): void {
  t[cat] ??= { n: 0, sum: { 5: 0, 10: 0, 25: 0 } };
  t[cat]!.n++;
  for (const k of KS) {
    const top = new Set(ranked.slice(0, k));
    t[cat]!.sum[k]! += evidence.filter((e) => top.has(e)).length / evidence.length;
  }
}

function report(title: string, t: Tally): void {
  console.log(`\n${title}`);
  console.log('category        |    n |  R@5 | R@10 | R@25');
  const all = { n: 0, sum: { 5: 0, 10: 0, 25: 0 } as Record<number, number> };
  for (const [cat, v] of Object.entries(t).sort()) {
    console.log(`${cat.padEnd(15)} | ${String(v.n).padStart(4)} | ${KS.map((k) => ((100 * v.sum[k]!) / v.n).toFixed(1).padStart(4)).join(' | ')}`);
    all.n += v.n;
    for (const k of KS) all.sum[k]! += v.sum[k]!;
  }
  console.log(`${'all'.padEnd(15)} | ${String(all.n).padStart(4)} | ${KS.map((k) => ((100 * all.sum[k]!) / all.n).toFixed(1).padStart(4)).join(' | ')}`);
  console.log(`${'DRAGON (paper)'.padEnd(15)} |      | ${KS.map((k) => DRAGON[k]!.toFixed(1).padStart(4)).join(' | ')}`);
}

async function main(): Promise<void> {
  const file = path.resolve(arg('data', path.join(__dirname, '..', '..', 'shared', 'data', 'locomo', 'locomo10.json')));
  if (!fs.existsSync(file)) throw new Error(`LoCoMo data not found at ${file}: pass --data /path/to/locomo10.json`);
  const samples = (JSON.parse(fs.readFileSync(file, 'utf8')) as Sample[]).slice(0, flag('conversations', 2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-locomo-'));
  const embedder = await createDefaultEmbedder();
  const svc = new VaultService({
    embedder,
    store: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')),
    settings: await SqlVaultSettingsStore.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') }),
    kv: await SqlKeyValueStore.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') }),
  });
  console.log(`LoCoMo dialog-turn retrieval, ${samples.length} conversations, embedder ${embedder.model}, load ${os.loadavg()[0]!.toFixed(1)}`);

  const vectorTally: Tally = {};
  const hybridTally: Tally = {};
  const rerankTally: Tally = {};
  let turnsTotal = 0;
  let ingestMs = 0;
  const searchMs: number[] = [];
  for (const s of samples) {
    const vault = `locomo-${s.sample_id}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const turns = turnsOf(s);
    turnsTotal += turns.length;
    let t0 = performance.now();
    for (let b = 0; b < turns.length; b += 64) {
      await svc.putItems(vault, turns.slice(b, b + 64).map((t) => ({ id: t.id, text: t.text, metadata: { session: t.session } })));
    }
    ingestMs += performance.now() - t0;
    const bm25 = new Bm25Index(turns.map((t) => ({ id: t.id, text: t.text })));
    for (const qa of s.qa) {
      const evidence = (qa.evidence ?? []).filter((e) => turns.some((t) => t.id === e));
      if (evidence.length === 0) continue;
      const cat = CATEGORY[qa.category] ?? `category ${qa.category}`;
      t0 = performance.now();
      const hits = await svc.getSimilar(vault, qa.question, { n: 100 });
      searchMs.push(performance.now() - t0);
      const vectorRanked = hits.map((h) => h.id);
      add(vectorTally, cat, evidence, vectorRanked);
      add(hybridTally, cat, evidence, reciprocalRankFusion([vectorRanked.slice(0, 50), bm25.search(qa.question, 50)]));
      // VaultService's hybrid option: BM25 re-ranking of the vector candidates only.
      add(rerankTally, cat, evidence, (await svc.getSimilar(vault, qa.question, { n: 25, hybrid: true })).map((h) => h.id));
    }
  }
  searchMs.sort((a, b) => a - b);
  console.log(`ingested ${turnsTotal} turns in ${(ingestMs / 1000).toFixed(1)} s (${Math.round((turnsTotal / ingestMs) * 60_000).toLocaleString('en')} turns/min); search p50 ${searchMs[Math.floor(searchMs.length / 2)]!.toFixed(1)} ms, p95 ${searchMs[Math.floor(searchMs.length * 0.95)]!.toFixed(1)} ms (embed + search)`);
  report('vector (local all-MiniLM-L6-v2), recall of evidence turns, %', vectorTally);
  report('hybrid (BM25 + vector, reciprocal rank fusion), %', hybridTally);
  report('VaultService hybrid: vector top 100 re-ranked with BM25 over those candidates (RRF), %', rerankTally);
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
