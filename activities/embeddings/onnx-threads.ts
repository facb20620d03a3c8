/**
 * An ONNX BERT-family model in worker threads (onnx-thread.js, a session each), fed token ids
 * from a queue: the sentence embedder (local-onnx.ts) and the cross-encoder reranker
 * (activities/rerank/local-cross-encoder.ts) both run on it. Each input gets one row of the
 * model's output back: a pooled vector, or a pair's score.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Inputs per inference call: bounds the padded tensor's memory. */
const BATCH = 32;

/**
 * Under load (another thread busy), a free thread waits up to LINGER_MS for MIN_BATCH inputs
 * before it starts a call: per text, a call of one query costs about twice what a call of eight
 * does (9.2 against 4.7 ms of CPU, e5-small-v2 here), and an API's clients come back one by one
 * as their answers go out, so without the wait many calls carried one or two queries. An idle
 * model starts at once: a lone query never waits.
 */
const MIN_BATCH = 8;
const LINGER_MS = 5;

/**
 * Model threads, each with its own onnxruntime session, each running one inference call at a
 * time. Inputs that arrive while every thread is busy queue up and go together in the next free
 * thread's call: fifty API clients each embedding one query share batches, and an idle model
 * adds no delay (no timer). One session per core, each on one core, measured about a fifth more
 * texts per second on 2 cores than one session spreading each call over both (bench/api-load.ts,
 * docs/vaults.md): small query batches parallelise poorly inside one call. A lone query pays for
 * it, a few milliseconds more than with both cores. PAR_EMBEDDING_SESSIONS sets the number of
 * threads; PAR_EMBEDDING_THREADS the cores each session uses (1 when there are several sessions,
 * onnxruntime's default, every core, when there is one).
 */
function sessionCount(env: NodeJS.ProcessEnv): number {
  const n = Number(env.PAR_EMBEDDING_SESSIONS);
  if (env.PAR_EMBEDDING_SESSIONS && !(Number.isInteger(n) && n > 0)) throw new Error(`PAR_EMBEDDING_SESSIONS must be a positive integer, got ${env.PAR_EMBEDDING_SESSIONS}`);
  // Each session holds its own copy of the model (tens of MB): a few are enough.
  return n || Math.min(os.availableParallelism(), 4);
}

/**
 * How many nice steps below the event loop the model threads run (PAR_EMBEDDING_NICE, default
 * 10, Linux only; in a process at nice 0 they run at 10, never past 19). Under load the model
 * threads keep both cores busy, and the event loop, which answers requests, hands out the next
 * batches and sends heartbeats, would otherwise wait its turn behind 100 ms inference calls.
 * Vault search through the API measured about a tenth more requests per second, and less CPU per
 * search, at 10 than at 0 (docs/vaults.md).
 */
function modelThreadNice(env: NodeJS.ProcessEnv): number {
  const raw = env.PAR_EMBEDDING_NICE;
  if (raw === undefined || raw === '') return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`PAR_EMBEDDING_NICE must be an integer from 0 (the event loop's priority) to 19 (steps below it), got ${raw}`);
  return n;
}

/** One input: token ids with [CLS] and [SEP], and for a text pair each token's segment (0 or 1). */
export interface ModelInput {
  ids: number[];
  typeIds?: number[];
}

interface Queued extends ModelInput {
  resolve: (row: Float32Array) => void;
  reject: (e: Error) => void;
}

interface Reply {
  id: number;
  ok: boolean;
  vectors?: Float32Array;
  error?: string;
}

/** One model thread and the calls it has in flight. */
interface ModelThread {
  worker: Worker;
  pending: Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>;
  busy: boolean;
}

export interface OnnxThreadsOptions {
  /** The .onnx file. */
  model: string;
  /** What errors call the model: "the local embedding model", "the local reranking model". */
  label: string;
  /** "pooled": sentence vectors by `pooling`, unit length; "logits": a cross-encoder's first logit. */
  output: 'pooled' | 'logits';
  pooling?: 'cls' | 'mean';
  /**
   * Split what is queued evenly over the idle threads instead of giving one thread a full batch:
   * one reranking's pairs then use every core (the embedder leaves it off: its queue fills from
   * many callers at once).
   */
  spread?: boolean;
}

export class OnnxThreads {
  private nextId = 0;
  private closed?: Error;
  private readonly queue: Queued[] = [];
  /** Set while a free thread waits for a fuller batch (see MIN_BATCH); when it fires, the batch goes as it is. */
  private linger?: NodeJS.Timeout;
  /** Inference calls made and inputs run (for benchmarks: inputs per call shows the batching). */
  readonly stats = { calls: 0, texts: 0 };

  private constructor(
    private readonly threads: ModelThread[],
    private readonly label: string,
    private readonly spread: boolean,
  ) {
    for (const t of threads) {
      t.worker.on('message', (r: Reply) => {
        const p = t.pending.get(r.id);
        if (!p) return;
        t.pending.delete(r.id);
        this.updateRef(t);
        p.resolve(r);
      });
      t.worker.on('error', (err) => this.failAll(err));
      t.worker.on('exit', (code) => this.failAll(new Error(`a thread of ${label} has stopped (exit code ${code})`)));
      this.updateRef(t);
    }
  }

  /** Starts the threads and waits until each has loaded the model (PAR_EMBEDDING_SESSIONS, _THREADS, _NICE from env). */
  static async start(opts: OnnxThreadsOptions, env: NodeJS.ProcessEnv = process.env): Promise<OnnxThreads> {
    const sessions = sessionCount(env);
    const threads = Number(env.PAR_EMBEDDING_THREADS) || (sessions > 1 ? 1 : undefined);
    const nice = modelThreadNice(env);
    const workers = Array.from(
      { length: sessions },
      () => new Worker(path.join(__dirname, 'onnx-thread.js'), { workerData: { model: opts.model, threads, pooling: opts.pooling, output: opts.output, nice } }),
    );
    const pool = new OnnxThreads(
      workers.map((worker) => ({ worker, pending: new Map(), busy: false })),
      opts.label,
      opts.spread === true,
    );
    const ready = await Promise.all(pool.threads.map((t) => pool.request(t, { type: 'ready' })));
    const failed = ready.find((r) => !r.ok);
    if (failed) {
      await pool.close();
      throw new Error(`could not load ${opts.label} ${opts.model}: ${failed.error}`);
    }
    return pool;
  }

  /** A thread keeps the process alive only while a request is in flight. */
  private updateRef(t: ModelThread): void {
    if (t.pending.size > 0) t.worker.ref();
    else t.worker.unref();
  }

  private failAll(err: Error): void {
    this.closed ??= err;
    for (const t of this.threads) {
      for (const p of t.pending.values()) p.reject(err);
      t.pending.clear();
    }
    for (const q of this.queue.splice(0)) q.reject(err);
  }

  private request(t: ModelThread, msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      this.updateRef(t);
      t.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  /** The model's output row for each input, in order. */
  run(inputs: ModelInput[]): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(this.closed);
    // Similar lengths next to each other: a long list is cut into batches with little padding.
    const order = inputs.map((input, i) => ({ i, input })).sort((a, b) => a.input.ids.length - b.input.ids.length);
    const out = new Array<Promise<Float32Array>>(inputs.length);
    for (const { i, input } of order) out[i] = new Promise<Float32Array>((resolve, reject) => this.queue.push({ ...input, resolve, reject }));
    this.pump();
    return Promise.all(out);
  }

  /** Gives queued inputs to idle model threads, a batch each (`now`: without waiting for a fuller one). */
  private pump(now = false): void {
    const idle = this.threads.filter((t) => !t.busy).length;
    // Spread: the queue in equal parts over the idle threads, each at most BATCH.
    const share = this.spread ? Math.min(BATCH, Math.ceil(this.queue.length / Math.max(1, idle))) : BATCH;
    for (const t of this.threads) {
      if (this.queue.length === 0) return;
      if (t.busy) continue;
      if (!now && this.queue.length < MIN_BATCH && this.threads.some((o) => o.busy)) {
        this.linger ??= setTimeout(() => {
          this.linger = undefined;
          this.pump(true);
        }, LINGER_MS);
        return;
      }
      if (this.linger) clearTimeout(this.linger);
      this.linger = undefined;
      const batch = this.queue.splice(0, share).sort((a, b) => a.ids.length - b.ids.length);
      t.busy = true;
      this.stats.calls++;
      this.stats.texts += batch.length;
      this.call(t, batch).catch((err: Error) => batch.forEach((q) => q.reject(err)));
    }
  }

  private async call(t: ModelThread, batch: Queued[]): Promise<void> {
    const seq = Math.max(...batch.map((q) => q.ids.length));
    const ids = new Int32Array(batch.length * seq);
    batch.forEach((q, r) => ids.set(q.ids, r * seq));
    const paired = batch.some((q) => q.typeIds);
    const types = paired ? new Uint8Array(batch.length * seq) : undefined;
    if (types) batch.forEach((q, r) => q.typeIds && types.set(q.typeIds, r * seq));
    let reply: Reply;
    try {
      reply = await this.request(t, { ids, types, lengths: batch.map((q) => q.ids.length), seq }, types ? [ids.buffer, types.buffer] : [ids.buffer]);
    } finally {
      // The thread's next batch goes to the model before this one's callers run: their work (an
      // API search, a response) would otherwise leave the thread idle until it was done.
      t.busy = false;
      this.pump();
    }
    if (!reply.ok || !reply.vectors) throw new Error(`${this.label} failed: ${reply.error}`);
    const flat = reply.vectors;
    const width = flat.length / batch.length;
    batch.forEach((q, r) => q.resolve(Float32Array.from(flat.subarray(r * width, (r + 1) * width))));
  }

  async close(): Promise<void> {
    this.closed ??= new Error(`${this.label} was closed`);
    if (this.linger) clearTimeout(this.linger);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
