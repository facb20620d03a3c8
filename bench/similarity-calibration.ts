// Fits each local embedding model's cosine scale to the reference model's (all-MiniLM-L6-v2, on
// which PAR's similarity thresholds were set) by quantile matching over text pairs from the repo's
// own data, and prints the knots for local-models.ts (`cosineScale`) with how well the map keeps
// each threshold's decisions.
//
//   node bin/run-ts.js bench/similarity-calibration.ts [--locomo PATH] [--questions-per-conversation 60]
//
// Pairs: LoCoMo questions against their evidence turns and against other turns of the same
// conversation, neighbouring and random turns, and the labelled Memory Vault merge pairs. Each pair
// is embedded as the product does: a search (the first text as a query, the second as a stored
// passage) and a comparison of two stored texts (both passages); e5 gives the two different scales.
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_MODELS, LocalOnnxEmbedder } from '../activities/embeddings';
import { REFERENCE_MODEL, ScaledCosine, type CosineKnots } from '../activities/embeddings/cosine-scale';
import type { EmbedPurpose } from '../activities/embeddings/port';
import { locomoFile } from './lib/locomo-file';
import { numberFlag, stringFlag } from './lib/stats';

interface Pair {
  first: string;
  second: string;
  kind: string;
}


/** A fixed-seed generator, so the pairs (and the knots) are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pairs(file: string, perConversation: number): Pair[] {
  const rnd = random(14);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out: Pair[] = [];
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { conversation: Record<string, unknown>; qa: { question: string; evidence?: string[] }[] }[];
  for (const sample of data) {
    const turns = Object.entries(sample.conversation)
      .filter(([k, v]) => /^session_\d+$/.test(k) && Array.isArray(v))
      .flatMap(([, v]) => v as { dia_id: string; text: string }[])
      .filter((t) => typeof t.text === 'string' && t.text.trim());
    const byId = new Map(turns.map((t) => [t.dia_id, t.text]));
    const qa = sample.qa.filter((q) => typeof q.question === 'string' && q.evidence?.some((e) => byId.has(e)));
    for (let i = 0; i < Math.min(perConversation, qa.length); i++) {
      const q = qa[Math.floor((i * qa.length) / perConversation)]!;
      const evidence = q.evidence!.filter((e) => byId.has(e));
      out.push({ first: q.question, second: byId.get(evidence[0]!)!, kind: 'question / evidence turn' });
      out.push({ first: q.question, second: pick(turns).text, kind: 'question / other turn' });
    }
    for (let i = 0; i < perConversation; i++) {
      const j = Math.floor(rnd() * (turns.length - 1));
      out.push({ first: turns[j + 1]!.text, second: turns[j]!.text, kind: 'turn / previous turn' });
      out.push({ first: pick(turns).text, second: pick(turns).text, kind: 'turn / random turn' });
    }
  }
  const merge = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../test/data/memory-merge-pairs.json'), 'utf8')) as { pairs: { a: string; b: string; same: boolean }[] };
  // As the Memory Vault compares them: the new statement (b) searches for the stored entry (a).
  for (const p of merge.pairs) out.push({ first: p.b, second: p.a, kind: p.same ? 'merge pair, same topic' : 'merge pair, other topic' });
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** How a pair is embedded: a search (query / passage), two stored texts, or two statements compared as e5 advises for paraphrases (query / query). */
type PairScale = 'query' | 'document' | 'symmetric';
const AS: Record<PairScale, [EmbedPurpose, EmbedPurpose]> = { query: ['query', 'document'], document: ['document', 'document'], symmetric: ['query', 'query'] };

/** Cosines of every pair, embedded as `scale` says. */
async function cosines(modelId: string, ps: Pair[], scale: PairScale): Promise<number[]> {
  const embedder = await LocalOnnxEmbedder.create(LOCAL_MODELS[modelId]);
  try {
    const firsts = await embedder.embed(ps.map((p) => p.first), AS[scale][0]);
    const seconds = await embedder.embed(ps.map((p) => p.second), AS[scale][1]);
    return ps.map((_p, i) => dot(firsts[i]!, seconds[i]!));
  } finally {
    await embedder.close();
  }
}

const QUANTILES = [0.001, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.94, 0.97, 0.985, 0.995, 0.999];

function quantile(sorted: number[], q: number): number {
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (x - lo);
}

/** Knots [model cosine, reference cosine] at the same quantiles, strictly increasing in both. */
function fitKnots(model: number[], reference: number[]): CosineKnots {
  const m = [...model].sort((a, b) => a - b);
  const r = [...reference].sort((a, b) => a - b);
  const knots: [number, number][] = [];
  for (const q of QUANTILES) {
    const k: [number, number] = [Number(quantile(m, q).toFixed(3)), Number(quantile(r, q).toFixed(3))];
    const last = knots.at(-1);
    if (k[0] <= -1 || k[0] >= 1 || k[1] <= -1 || k[1] >= 1) continue;
    if (!last || (k[0] > last[0] && k[1] > last[1])) knots.push(k);
  }
  return knots;
}

function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  order.forEach(([, i], r) => (out[i] = r));
  return out;
}

function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const d2 = ra.reduce((s, r, i) => s + (r - rb[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

async function main(): Promise<void> {
  const ps = pairs(stringFlag('locomo', locomoFile()), numberFlag('questions-per-conversation', 60));
  const kinds = [...new Set(ps.map((p) => p.kind))];
  console.log(`${ps.length} pairs: ${kinds.map((k) => `${ps.filter((p) => p.kind === k).length} ${k}`).join(', ')}`);
  const reference = await cosines(REFERENCE_MODEL, ps, 'document');
  const thresholds = [0.1, 0.3, 0.35, 0.5, 0.8, 0.85];
  const only = stringFlag('model', '');
  for (const id of Object.keys(LOCAL_MODELS)) {
    if (id === REFERENCE_MODEL || (only && id !== only)) continue;
    for (const purpose of ['query', 'document', 'symmetric'] as PairScale[]) {
      if (purpose !== 'document' && !LOCAL_MODELS[id]!.prefixes) continue;
      const cos = await cosines(id, ps, purpose);
      const knots = fitKnots(cos, reference);
      const scale = new ScaledCosine(knots);
      console.log(`\n${id}, pairs embedded as ${AS[purpose].join(' / ')} (${purpose}): Spearman ${spearman(cos, reference).toFixed(3)} with ${REFERENCE_MODEL}`);
      console.log(`  mean cosine by kind (${id} raw -> mapped | ${REFERENCE_MODEL}): ${kinds.map((k) => {
        const idx = ps.map((p, i) => (p.kind === k ? i : -1)).filter((i) => i >= 0);
        const mean = (xs: number[]) => idx.reduce((s, i) => s + xs[i]!, 0) / idx.length;
        return `${k} ${mean(cos).toFixed(2)} -> ${mean(cos.map((c) => scale.toReference(c))).toFixed(2)} | ${mean(reference).toFixed(2)}`;
      }).join('; ')}`);
      for (const t of thresholds) {
        const agree = ps.filter((_p, i) => (reference[i]! >= t) === (scale.toReference(cos[i]!) >= t)).length / ps.length;
        const rawAgree = ps.filter((_p, i) => (reference[i]! >= t) === (cos[i]! >= t)).length / ps.length;
        console.log(`  threshold ${t.toFixed(2)} (reference) = ${scale.fromReference(t).toFixed(3)} raw: same decision as ${REFERENCE_MODEL} on ${(agree * 100).toFixed(1)}% of pairs (raw threshold: ${(rawAgree * 100).toFixed(1)}%)`);
      }
      console.log(`  knots: ${JSON.stringify(knots)}`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
