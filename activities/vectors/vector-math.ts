/** Unit-length copy of a vector (zero stays zero), so cosine similarity is a dot product. */
export function normalized(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** Dot product of q with the row at `offset` of a packed matrix, unrolled for V8. */
export function dotAt(q: Float32Array, m: Float32Array, offset: number): number {
  const n = q.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += q[i]! * m[offset + i]!;
    s1 += q[i + 1]! * m[offset + i + 1]!;
    s2 += q[i + 2]! * m[offset + i + 2]!;
    s3 += q[i + 3]! * m[offset + i + 3]!;
  }
  for (; i < n; i++) s0 += q[i]! * m[offset + i]!;
  return s0 + s1 + s2 + s3;
}

/** Keeps the k best (score, item) pairs seen, best first on read. */
export class TopK<T> {
  private readonly scores: number[] = [];
  private readonly items: T[] = [];

  constructor(private readonly k: number) {}

  /** The score a new entry must beat to get in. */
  get threshold(): number {
    return this.scores.length < this.k ? -Infinity : this.scores[this.scores.length - 1]!;
  }

  push(score: number, item: T): void {
    if (this.k <= 0 || score <= this.threshold) return;
    let i = this.scores.length;
    if (i === this.k) i--;
    // Insertion into a sorted array: k is small (tens), so this beats a heap.
    while (i > 0 && this.scores[i - 1]! < score) {
      if (i < this.k) {
        this.scores[i] = this.scores[i - 1]!;
        this.items[i] = this.items[i - 1]!;
      }
      i--;
    }
    this.scores[i] = score;
    this.items[i] = item;
  }

  results(): { score: number; item: T }[] {
    return this.scores.map((score, i) => ({ score, item: this.items[i]! }));
  }
}

/**
 * The indices of the k highest of scores[0..n), best first, skipping NaN (a filter's rejects):
 * what pushing the others in index order through TopK gives (equal scores keep index order; at a
 * tie on the cut the earlier indices stay). By selection, O(n + k log k): TopK's sorted insertion
 * moves about k/2 entries per push, which is most of a query when k is a large share of n (a
 * hybrid query's 100 candidates from a 200-item vault).
 */
export function topIndices(scores: Float32Array, n: number, k: number): number[] {
  if (k <= 0) return [];
  let picked: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(scores[i]!)) picked.push(i);
  if (picked.length > k) {
    const values = new Float32Array(picked.length);
    picked.forEach((i, j) => (values[j] = scores[i]!));
    const cut = kthLargest(values, k);
    // Everything above the cut, then as many of the scores equal to it as fit, earliest first.
    let ties = k - picked.filter((i) => scores[i]! > cut).length;
    picked = picked.filter((i) => scores[i]! > cut || (scores[i] === cut && ties-- > 0));
  }
  return picked.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** The k-th largest value (1-based) of values, which it reorders (Hoare's quickselect). */
function kthLargest(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}
