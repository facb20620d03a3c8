// The selections a search ranks with: topIndices (the exact scan's top k) and fuseRankingsTop
// (the hybrid fusion's first few) must give exactly what the plain methods give, ties included:
// TopK over every score, and a stable sort of every fused score.
import { fuseRankings, fuseRankingsTop } from '../../activities/vectors/lexical-index';
import { TopK, topIndices } from '../../activities/vectors/vector-math';

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** What the scan did before: every index the filter let through (here: not NaN) pushed through TopK in order. */
function byTopK(scores: Float32Array, k: number): number[] {
  const top = new TopK<number>(k);
  scores.forEach((s, i) => Number.isNaN(s) || top.push(s, i));
  return top.results().map((r) => r.item);
}

test('topIndices equals TopK over every score: ties at the cut keep the earlier indices, NaN never gets in', () => {
  const rnd = seeded(7);
  for (let trial = 0; trial < 500; trial++) {
    const n = Math.floor(rnd() * 300);
    // Few distinct values, so many ties, some NaN (a filter's rejects).
    const levels = 1 + Math.floor(rnd() * 20);
    const scores = Float32Array.from({ length: n }, () => (rnd() < 0.1 ? NaN : Math.floor(rnd() * levels) / levels - 0.5));
    const k = Math.floor(rnd() * (n + 5));
    expect(topIndices(scores, n, k)).toEqual(byTopK(scores, k));
  }
  expect(topIndices(Float32Array.of(0.5, 0.9, 0.9, 0.1), 4, 2)).toEqual([1, 2]);
  expect(topIndices(Float32Array.of(0.5, 0.9, 0.9, 0.1), 3, 5)).toEqual([1, 2, 0]);
  expect(topIndices(Float32Array.of(0.2, 0.2, 0.2), 3, 2)).toEqual([0, 1]);
  expect(topIndices(Float32Array.of(1, 2), 2, 0)).toEqual([]);
});

test('fuseRankingsTop gives fuseRankings\' first keys, with each key\'s place in every ranking', () => {
  const rnd = seeded(11);
  for (let trial = 0; trial < 300; trial++) {
    const pool = Array.from({ length: 1 + Math.floor(rnd() * 150) }, (_, i) => i * 3);
    const ranking = () => pool.filter(() => rnd() < 0.6).sort(() => rnd() - 0.5);
    const rankings = [{ keys: ranking() }, { keys: ranking(), weight: rnd() < 0.5 ? 1 : 0.5 + rnd() }];
    const limit = Math.floor(rnd() * 12);
    const top = fuseRankingsTop(rankings, limit);
    expect(top.map((f) => f.key)).toEqual(fuseRankings(rankings).slice(0, limit));
    for (const { key, places } of top) expect(places).toEqual(rankings.map((r) => r.keys.indexOf(key)));
  }
  // Equal fused scores keep the order of first appearance: the vector ranking's first place, then the lexical one's.
  expect(fuseRankingsTop([{ keys: ['a', 'b'] }, { keys: ['c', 'b'] }], 3)).toEqual([
    { key: 'b', places: [1, 1] },
    { key: 'a', places: [0, -1] },
    { key: 'c', places: [-1, 0] },
  ]);
});
