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
