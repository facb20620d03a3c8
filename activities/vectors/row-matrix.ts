/**
 * A tenant's unit vectors, packed row after row, with the exact scan's dot products. Once a matrix
 * holds SIMD_MIN_ROWS rows it lives in WebAssembly memory and is scanned four floats at a time
 * (simd/row-scores.wat): about five times faster than JavaScript's one float at a time, which made
 * the scan the largest cost of an API search over a small vault and of a search over 10,000 items.
 * Smaller matrices stay plain arrays: WebAssembly memory comes in 64 KiB pages, and a store can
 * hold many small tenants.
 */
import { ROW_SCORES_WASM } from './simd/row-scores-wasm';
import { dotAt } from './vector-math';

/** Rows from which a matrix moves to WebAssembly memory (96 KiB of 384-d vectors). */
export const SIMD_MIN_ROWS = 64;
const PAGE = 65536;

// The parts of the WebAssembly API used here (this project's TypeScript libs do not declare it).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { scores(q: number, rows: number, count: number, dim: number, out: number): void } };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
};

let compiled: object | undefined;
function rowScoresModule(): object {
  compiled ??= new WebAssembly.Module(Buffer.from(ROW_SCORES_WASM, 'base64'));
  return compiled;
}

/** Matrix storage in WebAssembly memory: [query | scores | rows], each part sized for `capacity` rows. */
interface SimdStorage {
  query: Float32Array;
  scores: Float32Array;
  rows: Float32Array;
  run(count: number): void;
}

function simdStorage(dimension: number, capacity: number): SimdStorage {
  const bytes = (dimension + capacity + capacity * dimension) * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
  const { scores } = new WebAssembly.Instance(rowScoresModule(), { env: { memory } }).exports;
  const queryAt = 0;
  const scoresAt = dimension * 4;
  const rowsAt = scoresAt + capacity * 4;
  return {
    query: new Float32Array(memory.buffer, queryAt, dimension),
    scores: new Float32Array(memory.buffer, scoresAt, capacity),
    rows: new Float32Array(memory.buffer, rowsAt, capacity * dimension),
    run: (count) => scores(queryAt, rowsAt, count, dimension, scoresAt),
  };
}

/**
 * V8 reserves a large stretch of address space for each WebAssembly memory, so a process with
 * very many large tenants can be refused one: those tenants keep the JavaScript scan.
 */
function tryStorage(dimension: number, capacity: number): SimdStorage | undefined {
  try {
    return simdStorage(dimension, capacity);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

export class RowMatrix {
  private data: Float32Array;
  private simd?: SimdStorage;
  /** Scores of the JavaScript path, reused between scans. */
  private scratch = new Float32Array(0);

  constructor(
    readonly dimension: number,
    capacity = 16,
  ) {
    this.data = new Float32Array(dimension * capacity);
  }

  get capacity(): number {
    return this.data.length / this.dimension;
  }

  /** A view of one row; valid until the matrix grows. */
  row(slot: number): Float32Array {
    return this.data.subarray(slot * this.dimension, (slot + 1) * this.dimension);
  }

  /** Writes a row, growing the matrix (doubling) when the slot is past its end. */
  set(slot: number, unit: Float32Array): void {
    if (slot >= this.capacity) this.grow(slot + 1);
    this.data.set(unit, slot * this.dimension);
  }

  /** Copies row `from` over row `to`. */
  copy(from: number, to: number): void {
    this.data.copyWithin(to * this.dimension, from * this.dimension, (from + 1) * this.dimension);
  }

  dot(q: Float32Array, slot: number): number {
    return dotAt(q, this.data, slot * this.dimension);
  }

  /** q against rows 0..count-1; the array is reused by the next scan. */
  scan(q: Float32Array, count: number): Float32Array {
    if (this.simd) {
      this.simd.query.set(q);
      this.simd.run(count);
      return this.simd.scores;
    }
    if (this.scratch.length < count) this.scratch = new Float32Array(this.capacity);
    for (let slot = 0; slot < count; slot++) this.scratch[slot] = dotAt(q, this.data, slot * this.dimension);
    return this.scratch;
  }

  private grow(rows: number): void {
    let capacity = this.capacity;
    while (capacity < rows) capacity *= 2;
    // The SIMD loop takes 8 floats at a time: other dimensions keep the JavaScript scan.
    const simd = capacity >= SIMD_MIN_ROWS && this.dimension % 8 === 0 ? tryStorage(this.dimension, capacity) : undefined;
    if (simd) {
      simd.rows.set(this.data);
      this.simd = simd;
      this.data = simd.rows;
    } else {
      this.simd = undefined;
      const grown = new Float32Array(capacity * this.dimension);
      grown.set(this.data);
      this.data = grown;
    }
  }
}
