export { numberFlag as flag, percentile } from './lib/stats';

/**
 * Synthetic embedding-like vectors for the vault benchmarks: points scattered around random
 * cluster centres (real sentence embeddings cluster by topic, uniform random vectors do not),
 * unit length, from a seeded generator so every run measures the same data.
 */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/**
 * Topic clusters, each spread along a few directions of its own plus a little isotropic noise:
 * like sentence embeddings, the data has a low intrinsic dimension (isotropic noise in 384-d
 * would make every point nearly equidistant, a case no index and no real data set looks like).
 */
export function clusteredVectors(count: number, dim: number, seed = 1, clusters = 200, axes = 8): Float32Array[] {
  const r = rng(seed);
  const centres = Array.from({ length: clusters }, () => unit(Float32Array.from({ length: dim }, () => gaussian(r))));
  const bases = centres.map(() => Array.from({ length: axes }, () => unit(Float32Array.from({ length: dim }, () => gaussian(r)))));
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const c = Math.floor(r() * clusters);
    const v = Float32Array.from(centres[c]!);
    for (const axis of bases[c]!) {
      const w = 0.35 * gaussian(r);
      for (let d = 0; d < dim; d++) v[d]! += w * axis[d]!;
    }
    for (let d = 0; d < dim; d++) v[d]! += (0.05 * gaussian(r)) / Math.sqrt(dim);
    out.push(unit(v));
  }
  return out;
}

/** Exact top-k ids by cosine (float64 accumulation): the ground truth for recall. */
export function exactTopK(data: Float32Array[], q: Float32Array, k: number): number[] {
  const scores = data.map((v, i) => {
    let s = 0;
    for (let d = 0; d < q.length; d++) s += v[d]! * q[d]!;
    return { i, s };
  });
  scores.sort((a, b) => b.s - a.s);
  return scores.slice(0, k).map((x) => x.i);
}

export function recallAt(k: number, truth: number[][], got: number[][]): number {
  let hit = 0;
  truth.forEach((t, qi) => {
    const g = new Set(got[qi]!.slice(0, k));
    hit += t.slice(0, k).filter((x) => g.has(x)).length;
  });
  return hit / (truth.length * k);
}

/** Stored vectors and queries from the same clusters (queries are not among the stored ones). */
export function dataAndQueries(n: number, nq: number, dim: number, seed = 42): { data: Float32Array[]; queries: Float32Array[] } {
  const all = clusteredVectors(n + nq, dim, seed);
  return { data: all.slice(0, n), queries: all.slice(n) };
}
