import { RowMatrix, SIMD_MIN_ROWS } from '../../activities/vectors/row-matrix';
import { ROW_SCORES_WASM } from '../../activities/vectors/simd/row-scores-wasm';
import { dotAt } from '../../activities/vectors/vector-math';
import { compileRowScores } from '../../scripts/build-wasm';

function seeded(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

function vectors(count: number, dim: number, seed: number): Float32Array[] {
  const r = seeded(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, r));
}

test.each([
  ['SIMD (384-d)', 384],
  ['JavaScript (12-d, not a multiple of 8)', 12],
])('a scan gives each row its dot product with the query: %s', (_, dim) => {
  const rows = vectors(3 * SIMD_MIN_ROWS + 5, dim, dim);
  const m = new RowMatrix(dim);
  rows.forEach((v, slot) => m.set(slot, v));
  const [q] = vectors(1, dim, 99);
  const scores = m.scan(q!, rows.length);
  rows.forEach((v, slot) => expect(scores[slot]).toBeCloseTo(dotAt(q!, v, 0), 4));
  // Only the rows asked for: a shorter scan leaves no stale score that matters (first rows agree).
  const fewer = m.scan(q!, 3);
  expect(fewer[2]).toBeCloseTo(dotAt(q!, rows[2]!, 0), 4);
});

test('rows survive growth into WebAssembly memory, overwrites and copies', () => {
  const dim = 16;
  const rows = vectors(SIMD_MIN_ROWS * 2 + 1, dim, 7);
  const m = new RowMatrix(dim);
  rows.slice(0, SIMD_MIN_ROWS - 1).forEach((v, slot) => m.set(slot, v));
  const before = m.row(3).slice();
  rows.slice(SIMD_MIN_ROWS - 1).forEach((v, k) => m.set(SIMD_MIN_ROWS - 1 + k, v));
  expect(m.capacity).toBeGreaterThanOrEqual(rows.length);
  expect(Array.from(m.row(3))).toEqual(Array.from(before));
  rows.forEach((v, slot) => expect(Array.from(m.row(slot))).toEqual(Array.from(v)));
  m.copy(rows.length - 1, 0);
  expect(Array.from(m.row(0))).toEqual(Array.from(rows[rows.length - 1]!));
  const q = rows[5]!;
  expect(m.scan(q, rows.length)[0]).toBeCloseTo(dotAt(q, rows[rows.length - 1]!, 0), 4);
  expect(m.dot(q, 5)).toBeCloseTo(dotAt(q, q, 0), 5);
});

test('the committed WebAssembly is what row-scores.wat compiles to', async () => {
  // Fails after an edit of the .wat until `node bin/run-ts.js scripts/build-wasm.ts` is run.
  expect(Buffer.from(await compileRowScores()).toString('base64')).toBe(ROW_SCORES_WASM);
});
