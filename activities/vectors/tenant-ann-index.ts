/**
 * An approximate (HNSW, usearch) index over one tenant's rows of the embedded store, for vaults
 * too large to scan on every query. It is built in the background in short slices on the event
 * loop, so a worker keeps heartbeating and answering (exactly, by scan) while it builds, and
 * follows this process's writes as they happen. It is not persisted: a process builds it the
 * first time a large vault is searched, and again after another process has written to the
 * collection (the store then reloads everything).
 */
import { Index, MetricKind, ScalarKind } from 'usearch';

export interface AnnOptions {
  /** A tenant gets an index once it holds this many rows. */
  minRows: number;
  /** HNSW graph degree and beam widths (usearch's connectivity, expansion_add, expansion_search). */
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  /** How the index stores its copy of the vectors; candidates are rescored from the exact rows. */
  quantization: 'f32' | 'f16';
  /** Candidates fetched per requested hit, rescored exactly before the top k is taken. */
  oversample: number;
  /** Longest the build may hold the event loop in one slice. */
  sliceMs: number;
}

export const DEFAULT_ANN_OPTIONS: AnnOptions = { minRows: 20_000, connectivity: 16, expansionAdd: 128, expansionSearch: 128, quantization: 'f16', oversample: 4, sliceMs: 25 };

/** The ANN settings from the environment, or undefined when PAR_VECTOR_ANN=off. */
export function annOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AnnOptions | undefined {
  const mode = (env.PAR_VECTOR_ANN ?? 'auto').toLowerCase();
  if (mode === 'off') return undefined;
  if (mode !== 'auto') throw new Error(`PAR_VECTOR_ANN=${env.PAR_VECTOR_ANN} is not a mode: use "auto" or "off"`);
  const minRows = env.PAR_VECTOR_ANN_MIN_ROWS === undefined ? DEFAULT_ANN_OPTIONS.minRows : Number(env.PAR_VECTOR_ANN_MIN_ROWS);
  if (!Number.isInteger(minRows) || minRows < 1) throw new Error(`PAR_VECTOR_ANN_MIN_ROWS must be a positive integer, got ${env.PAR_VECTOR_ANN_MIN_ROWS}`);
  return { ...DEFAULT_ANN_OPTIONS, minRows };
}

export class TenantAnnIndex {
  private readonly index: Index;
  private readonly keyOf = new Map<string, bigint>();
  private readonly idOf = new Map<bigint, string>();
  private nextKey = 1n;
  private pending: string[];
  private cursor = 0;
  private batch = 16;
  private disposed = false;
  private building?: NodeJS.Timeout;
  /** Set once every row present when the build started is in the index. */
  ready = false;
  readonly startedAt = Date.now();
  builtInMs?: number;

  constructor(
    private readonly dimension: number,
    private readonly opts: AnnOptions,
    /** The current unit vector of a row, or undefined once it is deleted. */
    private readonly rowOf: (id: string) => Float32Array | undefined,
    ids: string[],
  ) {
    this.index = new Index({
      dimensions: dimension,
      metric: MetricKind.IP,
      quantization: opts.quantization === 'f16' ? ScalarKind.F16 : ScalarKind.F32,
      connectivity: opts.connectivity,
      expansion_add: opts.expansionAdd,
      expansion_search: opts.expansionSearch,
      multi: false,
    } as never);
    this.pending = ids.slice();
    this.schedule();
  }

  get size(): number {
    return this.keyOf.size;
  }

  /** A row was written in this process: (re)index it now, whether or not the build reached it. */
  upsert(id: string, unit: Float32Array): void {
    if (this.disposed) return;
    this.removeKey(id);
    this.addOne(id, unit);
  }

  remove(id: string): void {
    if (this.disposed) return;
    this.removeKey(id);
  }

  /** Ids of the nearest rows (by inner product), best first; call only when ready. */
  search(unit: Float32Array, k: number): string[] {
    const n = Math.min(k * this.opts.oversample, this.keyOf.size);
    if (n === 0) return [];
    const found = this.index.search(unit, n, 1);
    const out: string[] = [];
    for (const key of found.keys) {
      const id = this.idOf.get(key);
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    if (this.building) clearTimeout(this.building);
    this.pending = [];
  }

  private schedule(): void {
    // Unref'd: a short-lived command exits without waiting for an index it will never use.
    this.building = setTimeout(() => this.buildSlice(), 0);
    this.building.unref();
  }

  private buildSlice(): void {
    if (this.disposed) return;
    const started = performance.now();
    while (this.cursor < this.pending.length && performance.now() - started < this.opts.sliceMs) {
      const end = Math.min(this.cursor + this.batch, this.pending.length);
      const ids: string[] = [];
      const vectors = new Float32Array((end - this.cursor) * this.dimension);
      for (let i = this.cursor; i < end; i++) {
        const id = this.pending[i]!;
        if (this.keyOf.has(id)) continue; // written (and indexed) since the build began
        const v = this.rowOf(id);
        if (!v) continue; // deleted since
        vectors.set(v, ids.length * this.dimension);
        ids.push(id);
      }
      const t0 = performance.now();
      if (ids.length) this.addMany(ids, vectors.subarray(0, ids.length * this.dimension));
      this.cursor = end;
      // Aim at about a fifth of a slice per native call, whatever this machine's speed.
      const perRow = (performance.now() - t0) / Math.max(ids.length, 1);
      this.batch = Math.max(16, Math.min(4096, Math.floor(this.opts.sliceMs / 5 / Math.max(perRow, 1e-3))));
    }
    if (this.cursor < this.pending.length) return this.schedule();
    this.pending = [];
    this.ready = true;
    this.builtInMs = Date.now() - this.startedAt;
  }

  private addOne(id: string, unit: Float32Array): void {
    this.addMany([id], unit);
  }

  private addMany(ids: string[], vectors: Float32Array): void {
    const keys = new BigUint64Array(ids.length);
    ids.forEach((id, i) => {
      const key = this.nextKey++;
      keys[i] = key;
      this.keyOf.set(id, key);
      this.idOf.set(key, id);
    });
    this.index.add(keys, vectors, 1);
  }

  private removeKey(id: string): void {
    const key = this.keyOf.get(id);
    if (key === undefined) return;
    this.index.remove(new BigUint64Array([key]));
    this.keyOf.delete(id);
    this.idOf.delete(key);
  }
}
